import { ScimError } from './errors.ts';
import { getKey, isObject } from './resource.ts';
import { SCIM } from './schemas.ts';

export type PatchOpName = 'add' | 'remove' | 'replace';

export interface PatchOperation {
  /** Lower-cased: Entra sends `Add`, `Replace`, `Remove`. */
  op: PatchOpName;
  /** Absent when not sent or blank. */
  path?: string;
  value?: unknown;
}

const OP_NAMES: ReadonlySet<string> = new Set(['add', 'remove', 'replace']);

/** Validates a PatchOp message (RFC 7644 §3.5.2) and returns its operations; 400 invalidSyntax when it is not one. */
export function readPatchRequest(request: unknown): PatchOperation[] {
  if (!isObject(request)) throw syntax('The PATCH body must be a JSON object');
  const schemas = getKey(request, 'schemas');
  const patchOp = SCIM.patchOp.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === patchOp)) {
    throw syntax(`"schemas" must contain "${SCIM.patchOp}"`);
  }
  const operations = getKey(request, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) throw syntax('"Operations" must be a non-empty array');
  return operations.map(readOperation);
}

function readOperation(raw: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isObject(raw)) throw syntax(`${where} must be an object`);
  const op = getKey(raw, 'op');
  if (typeof op !== 'string' || !OP_NAMES.has(op.toLowerCase())) {
    throw syntax(`${where}.op must be "add", "remove" or "replace", found ${JSON.stringify(op) ?? 'nothing'}`);
  }
  const operation: PatchOperation = { op: op.toLowerCase() as PatchOpName };
  const path = getKey(raw, 'path');
  if (path !== undefined && path !== null && typeof path !== 'string') {
    throw new ScimError(400, `${where}.path must be a string`, 'invalidPath');
  }
  if (typeof path === 'string' && path.trim() !== '') operation.path = path.trim();
  const value = getKey(raw, 'value');
  if (value === undefined && operation.op !== 'remove') throw syntax(`${where} (${operation.op}) needs a "value"`);
  if (value !== undefined) operation.value = value;
  return operation;
}

function syntax(detail: string): ScimError {
  return new ScimError(400, detail, 'invalidSyntax');
}
