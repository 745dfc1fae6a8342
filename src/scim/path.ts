import type { PatchPath } from './filter-ast.ts';
import { FilterParser } from './filter-parser.ts';

export type { PatchPath } from './filter-ast.ts';

/** Parses a PATCH path; throws ScimError(400, …, 'invalidPath'). */
export function parsePath(text: string): PatchPath {
  return new FilterParser(text, 'path').parsePath();
}
