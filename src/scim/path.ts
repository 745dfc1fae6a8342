import type { AttributePath } from './attribute-path.ts';
import type { Filter } from './filter.ts';
import { FilterParser } from './filter-parser.ts';

/**
 * A PATCH target (RFC 7644 §3.5.2): `attr`, `attr.sub`, `urn:…:attr[.sub]`, `attr[filter]`,
 * `attr[filter].sub`. With a filter, `subAttribute` is the one after the brackets.
 */
export interface PatchPath extends AttributePath {
  filter?: Filter;
}

/** Parses a PATCH path; throws ScimError(400, …, 'invalidPath'). */
export function parsePath(text: string): PatchPath {
  return new FilterParser(text, 'path').parsePath();
}
