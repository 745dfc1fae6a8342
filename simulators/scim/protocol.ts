// The SCIM protocol pieces the simulator uses, from src/scim (one place to import them from).
export { ScimError, type ScimType } from '../../src/scim/errors.ts';
export { SCIM, SCIM_CONTENT_TYPE, listResponse, type ListResponse } from '../../src/scim/schemas.ts';

export { parseFilter, matchesFilter, filterOperators, filterAttributes, type Filter } from '../../src/scim/filter.ts';

// TEMPORARY until src/scim/patch.ts lands.
import { ScimError } from '../../src/scim/errors.ts';
export function applyPatch(_resource: Record<string, unknown>, _body: unknown): Record<string, unknown> {
  throw new ScimError(501, 'PATCH not available yet');
}
