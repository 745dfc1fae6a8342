import { ScimError } from './errors.ts';
import { defaultCaseExact } from './filter-match.ts';
import { parsePath } from './path.ts';
import { applyAt } from './patch-apply.ts';
import { readPatchRequest, type PatchOperation } from './patch-request.ts';
import { removeExtension, schemaKey, type PatchContext } from './patch-target.ts';
import { cloneJson, deepEqual, getKey, isObject, type JsonObject } from './resource.ts';
import { SCIM } from './schemas.ts';

export { readPatchRequest, type PatchOperation, type PatchOpName } from './patch-request.ts';

const ENTERPRISE = SCIM.enterpriseUser.toLowerCase();

export const DEFAULT_BOOLEAN_ATTRIBUTES: readonly string[] = ['active'];
export const DEFAULT_SINGLE_VALUED_ATTRIBUTES: readonly string[] = ['manager', `${ENTERPRISE}:manager`];
export const DEFAULT_READ_ONLY: readonly string[] = ['id', 'meta'];
/** The enterprise User attributes, where an unprefixed `manager`, `department`, … goes when new. */
export const DEFAULT_EXTENSION_ATTRIBUTES: Readonly<Record<string, string>> = Object.fromEntries(
  ['employeenumber', 'costcenter', 'organization', 'division', 'department', 'manager'].map((name) => [name, SCIM.enterpriseUser]),
);

/** Paths are lower-case, dotted, with a URN prefix for extension attributes: `urn:…:user:manager`. */
export interface PatchOptions {
  /** Attributes whose "True"/"False" strings become booleans. Default DEFAULT_BOOLEAN_ATTRIBUTES. */
  booleanAttributes?: string[];
  /** Attributes that hold one value: a one-element array is unwrapped and add/replace sets the value whole. Default DEFAULT_SINGLE_VALUED_ATTRIBUTES. */
  singleValuedAttributes?: string[];
  /** Attributes (and their sub-attributes) a PATCH may not change: 400 mutability. Default DEFAULT_READ_ONLY. */
  readOnly?: string[];
  /** Unprefixed attribute name → the extension schema it is created in. Default DEFAULT_EXTENSION_ATTRIBUTES. */
  extensionAttributes?: Record<string, string>;
  /** Case-exactness for value filters in paths (`emails[type eq "work"]`). Default defaultCaseExact. */
  caseExact?: (path: string) => boolean;
}

/**
 * Applies a SCIM PatchOp message and returns the new resource; the input is never changed.
 * Atomic: the first failing operation throws its ScimError (detail prefixed `Operations[i]: `)
 * and nothing is applied.
 */
export function applyPatch(resource: Record<string, unknown>, request: unknown, options: PatchOptions = {}): Record<string, unknown> {
  const operations = readPatchRequest(request);
  const ctx = context(options);
  const result = cloneJson(resource);
  operations.forEach((operation, index) => {
    try {
      applyOperation(result, operation, ctx);
      checkReadOnly(resource, result, ctx.readOnly);
    } catch (error) {
      if (error instanceof ScimError) throw new ScimError(error.status, `Operations[${index}]: ${error.detail}`, error.scimType);
      throw error;
    }
  });
  return result;
}

function context(options: PatchOptions): PatchContext {
  const lower = (list: readonly string[]) => new Set(list.map((s) => s.toLowerCase()));
  const extensions = options.extensionAttributes ?? DEFAULT_EXTENSION_ATTRIBUTES;
  return {
    booleans: lower(options.booleanAttributes ?? DEFAULT_BOOLEAN_ATTRIBUTES),
    singles: lower(options.singleValuedAttributes ?? DEFAULT_SINGLE_VALUED_ATTRIBUTES),
    readOnly: [...lower(options.readOnly ?? DEFAULT_READ_ONLY)],
    extensionAttributes: new Map(Object.entries(extensions).map(([name, schema]) => [name.toLowerCase(), schema])),
    caseExact: options.caseExact ?? defaultCaseExact,
  };
}

function applyOperation(resource: JsonObject, { op, path, value }: PatchOperation, ctx: PatchContext): void {
  if (path === undefined) {
    if (op === 'remove') throw new ScimError(400, '"remove" needs a "path"', 'noTarget');
    applyEntries(resource, op, objectValue(op, value), undefined, ctx);
    return;
  }
  const schema = schemaKey(resource, path);
  if (schema === undefined) {
    applyAt(resource, op, parsePath(path), value, ctx);
  } else if (op === 'remove') {
    if (getKey(resource, schema) === undefined) return;
    removeExtension(resource, schema);
  } else {
    applyEntries(resource, op, objectValue(op, value), schema, ctx);
  }
}

/**
 * Path-less add/replace (or one aimed at a whole extension): each key is a path of its own, as in
 * `{"name.givenName": "x", "urn:…:User:employeeNumber": "1", "active": false}`.
 */
function applyEntries(resource: JsonObject, op: 'add' | 'replace', value: JsonObject, schema: string | undefined, ctx: PatchContext): void {
  for (const [key, item] of Object.entries(value)) {
    const extension = schema === undefined ? schemaKey(resource, key) : undefined;
    if (extension !== undefined && isObject(item)) applyEntries(resource, op, item, extension, ctx);
    else applyAt(resource, op, parsePath(schema === undefined ? key : `${schema}:${key}`), item, ctx);
  }
}

function objectValue(op: string, value: unknown): JsonObject {
  if (!isObject(value)) throw new ScimError(400, `"${op}" without a "path" (or on a whole schema) needs an object value`, 'invalidValue');
  return value;
}

function checkReadOnly(before: JsonObject, after: JsonObject, readOnly: readonly string[]): void {
  for (const path of readOnly) {
    if (!deepEqual(readDotted(before, path), readDotted(after, path))) {
      throw new ScimError(400, `"${path}" is read-only`, 'mutability');
    }
  }
}

function readDotted(resource: JsonObject, path: string): unknown {
  let value: unknown = resource;
  for (const part of path.split('.')) value = isObject(value) ? getKey(value, part) : undefined;
  return value;
}
