import { attributeKey, type AttributePath } from './attribute-path.ts';
import type { CompareOperator, Filter, FilterValue } from './filter-ast.ts';
import { findKey, getKey, isObject, readAttribute, toList, type JsonObject } from './resource.ts';

export interface MatchOptions {
  /** Whether string comparisons on a path (lower-case, dotted: `emails.value`) are case-exact. */
  caseExact?: (path: string) => boolean;
}

/** RFC 7643: `id`, `externalId` and `meta.*` are case-exact; other strings compare case-insensitively. */
export function defaultCaseExact(path: string): boolean {
  return path === 'id' || path === 'externalid' || path === 'meta' || path.startsWith('meta.');
}

/**
 * Evaluates a filter against a JSON resource. A multi-valued attribute matches when any element
 * does; `ne` is "no element equals", so it also matches a missing attribute; `eq null` matches
 * a missing (or empty) attribute.
 */
export function matchesFilter(resource: JsonObject, filter: Filter, options: MatchOptions = {}): boolean {
  return evaluate(filter, resource, '', options.caseExact ?? defaultCaseExact);
}

/** Evaluates a value filter (`[type eq "work"]`) against one element of the attribute `parentKey`. */
export function matchesElement(element: JsonObject, filter: Filter, parentKey: string, caseExact: (path: string) => boolean): boolean {
  return evaluate(filter, element, parentKey, caseExact);
}

function evaluate(filter: Filter, scope: JsonObject, parent: string, caseExact: (path: string) => boolean): boolean {
  switch (filter.kind) {
    case 'and':
      return evaluate(filter.left, scope, parent, caseExact) && evaluate(filter.right, scope, parent, caseExact);
    case 'or':
      return evaluate(filter.left, scope, parent, caseExact) || evaluate(filter.right, scope, parent, caseExact);
    case 'not':
      return !evaluate(filter.filter, scope, parent, caseExact);
    case 'present':
      return values(scope, filter.path, parent).some(isPresent);
    case 'compare': {
      const found = values(scope, filter.path, parent);
      if (filter.value === null) return found.some(isPresent) === (filter.op === 'ne');
      const exact = caseExact(keyOf(filter.path, parent));
      const equal = (v: unknown) => test(v, 'eq', filter.value, exact);
      if (filter.op === 'ne') return !found.some(equal);
      return found.some((v) => test(v, filter.op, filter.value, exact));
    }
    case 'valuePath': {
      const key = keyOf(filter.path, parent);
      return values(scope, filter.path, parent).some((element) =>
        isObject(element)
        && evaluate(filter.filter, element, key, caseExact)
        && (filter.subFilter === undefined || evaluate(filter.subFilter, element, key, caseExact)));
    }
  }
}

function keyOf(path: AttributePath, parent: string): string {
  return parent === '' ? attributeKey(path) : `${parent}.${attributeKey(path)}`;
}

/** The values a path reaches, flattened across multi-valued attributes. */
function values(scope: JsonObject, path: AttributePath, parent: string): unknown[] {
  const base = parent === '' ? readAttribute(scope, path) : getKey(scope, path.attribute);
  const list = toList(base);
  if (path.subAttribute === undefined) return list;
  const sub = path.subAttribute;
  return list.flatMap((element) => (isObject(element) ? toList(getKey(element, sub)) : []));
}

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isObject(value)) return Object.values(value).some(isPresent);
  return true;
}

function test(raw: unknown, op: CompareOperator, literal: FilterValue, exact: boolean): boolean {
  // A complex value compared without a sub-attribute (`members eq "id"`, `manager eq "id"`) compares its `value`.
  const value = isObject(raw) && findKey(raw, 'value') !== undefined ? getKey(raw, 'value') : raw;
  if (typeof literal === 'boolean') {
    if (typeof value === 'boolean') return value === literal;
    return typeof value === 'string' && value.toLowerCase() === String(literal);
  }
  if (typeof value === 'number' && typeof literal === 'number') return ordered(value - literal, op);
  if (typeof value === 'string' && typeof literal === 'string') return compareStrings(value, op, literal, exact);
  if ((typeof value === 'number' || typeof value === 'string') && literal !== null) {
    return op === 'eq' && String(value) === String(literal);
  }
  return false;
}

function compareStrings(value: string, op: CompareOperator, literal: string, exact: boolean): boolean {
  if (op !== 'co' && op !== 'sw' && op !== 'ew') {
    const a = dateTime(value);
    const b = dateTime(literal);
    if (a !== undefined && b !== undefined) return ordered(a - b, op);
  }
  const x = exact ? value : lowerCase(value);
  const y = exact ? literal : lowerCase(literal);
  switch (op) {
    case 'co': return x.includes(y);
    case 'sw': return x.startsWith(y);
    case 'ew': return x.endsWith(y);
    default: return ordered(codePointOrder(x, y), op);
  }
}

/**
 * Lower case one code point at a time, as SQL lower() does (filter-sql.ts): "İ" is "i", where
 * String.prototype.toLowerCase makes it "i̇" (two code points) and so would not equal "i".
 */
export function lowerCase(text: string): string {
  let out = '';
  for (const c of text) out += c === '\u0130' ? 'i' : c.toLowerCase();
  return out;
}

/** Orders strings by code point, as SQL `collate "C"` does over UTF-8 (not by UTF-16 code unit, as `<` does). */
function codePointOrder(x: string, y: string): number {
  for (let i = 0; i < x.length && i < y.length;) {
    const a = x.codePointAt(i) ?? 0;
    const b = y.codePointAt(i) ?? 0;
    if (a !== b) return a < b ? -1 : 1;
    i += a > 0xffff ? 2 : 1;
  }
  return Math.sign(x.length - y.length);
}

function ordered(difference: number, op: CompareOperator): boolean {
  switch (op) {
    case 'eq': return difference === 0;
    case 'gt': return difference > 0;
    case 'ge': return difference >= 0;
    case 'lt': return difference < 0;
    case 'le': return difference <= 0;
    default: return false;
  }
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Milliseconds for an xsd:dateTime with a zone, so `2024-01-01T01:00:00+01:00` equals `…T00:00:00Z`. */
function dateTime(text: string): number | undefined {
  if (!DATE_TIME.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}
