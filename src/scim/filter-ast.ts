// The SCIM filter and PATCH path syntax trees (RFC 7644 §3.4.2.2, §3.5.2): types only, shared by
// the parser, the matcher and the PATCH engine without importing one another.
import type { AttributePath } from './attribute-path.ts';

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

/** `userName eq "a"` */
export interface CompareFilter {
  kind: 'compare';
  path: AttributePath;
  op: CompareOperator;
  value: FilterValue;
}

/** `title pr` */
export interface PresentFilter {
  kind: 'present';
  path: AttributePath;
}

export interface LogicalFilter {
  kind: 'and' | 'or';
  left: Filter;
  right: Filter;
}

export interface NotFilter {
  kind: 'not';
  filter: Filter;
}

/**
 * `emails[type eq "work"]`: some element of `path` matches `filter` (whose paths are relative to
 * the element). Entra also sends `emails[type eq "work"].value eq "x"`, which RFC 7644's filter
 * grammar lacks: `subFilter` is then the test on the same element (`value eq "x"`).
 */
export interface ValuePathFilter {
  kind: 'valuePath';
  path: AttributePath;
  filter: Filter;
  subFilter?: AttributeTest;
}

export type AttributeTest = CompareFilter | PresentFilter;
export type Filter = CompareFilter | PresentFilter | LogicalFilter | NotFilter | ValuePathFilter;

/**
 * A PATCH target (RFC 7644 §3.5.2): `attr`, `attr.sub`, `urn:…:attr[.sub]`, `attr[filter]`,
 * `attr[filter].sub`. With a filter, `subAttribute` is the one after the brackets.
 */
export interface PatchPath extends AttributePath {
  filter?: Filter;
}
