// The SCIM protocol pieces the simulator uses (errors, URNs, filter engine, PATCH engine), all from
// src/scim: the simulator has no filter parser or PATCH engine of its own.
export {
  ScimError,
  SCIM,
  SCIM_CONTENT_TYPE,
  listResponse,
  parseFilter,
  matchesFilter,
  filterOperators,
  filterAttributes,
  applyPatch,
  DEFAULT_READ_ONLY,
} from '../../src/scim/index.ts';
export type { ScimType, ListResponse, Filter, PatchOptions } from '../../src/scim/index.ts';
