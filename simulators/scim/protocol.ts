// The SCIM protocol pieces the simulator uses, from src/scim (one place to import them from).
export { ScimError, type ScimType } from '../../src/scim/errors.ts';
export { SCIM, SCIM_CONTENT_TYPE, listResponse, type ListResponse } from '../../src/scim/schemas.ts';

// TEMPORARY until src/scim/filter.ts and patch.ts land.
import { ScimError } from '../../src/scim/errors.ts';
export type Filter = { text: string };
export function parseFilter(text: string): Filter {
  return { text };
}
export function matchesFilter(_resource: unknown, _filter: Filter): boolean {
  throw new ScimError(501, 'filtering not available yet');
}
export function filterOperators(_filter: Filter): Set<string> {
  return new Set();
}
export function filterAttributes(_filter: Filter): string[] {
  return [];
}
export function applyPatch(_resource: Record<string, unknown>, _body: unknown): Record<string, unknown> {
  throw new ScimError(501, 'PATCH not available yet');
}
