// Value handling for PATCH: normalising what the IdP sent, and list arithmetic on multi-valued attributes.
import { ScimError } from './errors.ts';
import type { Filter } from './filter-ast.ts';
import type { PatchContext } from './patch-target.ts';
import { deepEqual, findKey, getKey, isObject, setKey, type JsonObject } from './resource.ts';

/**
 * A fresh copy of `value` for the attribute known by `names`: "True"/"False" become booleans on
 * boolean attributes (Entra), and a one-element array on a single-valued attribute is unwrapped
 * (Entra's `manager`).
 */
export function prepareValue(names: string[], value: unknown, ctx: PatchContext): unknown {
  const copy = coerceBooleans(names, value, ctx.booleans);
  if (!isSingleValued(names, ctx) || !Array.isArray(copy)) return copy;
  if (copy.length > 1) {
    throw new ScimError(400, `"${names[0]}" is single-valued but ${copy.length} values were sent`, 'invalidValue');
  }
  return copy[0] ?? null;
}

export function isSingleValued(names: string[], ctx: PatchContext): boolean {
  return names.some((name) => ctx.singles.has(name));
}

export function subNames(names: string[], sub: string): string[] {
  return names.map((name) => `${name}.${sub.toLowerCase()}`);
}

function coerceBooleans(names: string[], value: unknown, booleans: ReadonlySet<string>): unknown {
  if (typeof value === 'string' && /^(true|false)$/i.test(value) && names.some((n) => booleans.has(n))) {
    return value.toLowerCase() === 'true';
  }
  if (Array.isArray(value)) return value.map((item) => coerceBooleans(names, item, booleans));
  if (isObject(value)) {
    const copy: JsonObject = {};
    for (const [key, item] of Object.entries(value)) copy[key] = coerceBooleans(subNames(names, key), item, booleans);
    return copy;
  }
  return value;
}

/** Same element of a multi-valued attribute: by `value` when the new one has one, else whole. */
function sameElement(existing: unknown, candidate: unknown): boolean {
  if (isObject(candidate) && findKey(candidate, 'value') !== undefined) {
    return isObject(existing) && deepEqual(getKey(existing, 'value'), getKey(candidate, 'value'));
  }
  return deepEqual(existing, candidate);
}

/** Appends the items not already in `list`; returns those appended. */
export function appendNew(list: unknown[], items: unknown[]): unknown[] {
  const added: unknown[] = [];
  for (const item of items) {
    if (list.some((element) => sameElement(element, item))) continue;
    list.push(item);
    added.push(item);
  }
  return added;
}

/** `list` without the elements named in `listed`. */
export function withoutListed(list: unknown[], listed: unknown[]): unknown[] {
  return list.filter((element) => !listed.some((item) => sameElement(element, item)));
}

/** RFC 7644 §3.5.2: when a change makes one element primary, the others stop being primary. */
export function settlePrimary(list: unknown, changed: unknown[]): void {
  if (!Array.isArray(list) || !changed.some((el) => isObject(el) && getKey(el, 'primary') === true)) return;
  for (const element of list) {
    if (isObject(element) && !changed.includes(element) && getKey(element, 'primary') === true) {
      setKey(element, 'primary', false);
    }
  }
}

/**
 * The element a value filter describes, when it is only `eq` tests joined by `and`
 * (`type eq "work"` → `{type: "work"}`); undefined when the filter cannot name one element.
 */
export function elementFromFilter(filter: Filter): JsonObject | undefined {
  if (filter.kind === 'compare') {
    const { op, path, value } = filter;
    if (op !== 'eq' || value === null || path.subAttribute !== undefined || path.schema !== undefined) return undefined;
    return { [path.attribute]: value };
  }
  if (filter.kind !== 'and') return undefined;
  const left = elementFromFilter(filter.left);
  const right = elementFromFilter(filter.right);
  if (left === undefined || right === undefined) return undefined;
  for (const [key, value] of Object.entries(right)) {
    const clash = findKey(left, key);
    if (clash !== undefined && left[clash] !== value) return undefined;
    setKey(left, key, value);
  }
  return left;
}
