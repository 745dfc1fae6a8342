// Case-insensitive access to JSON resources, as SCIM attribute names are case-insensitive.
import { isCoreSchema, type AttributePath } from './attribute-path.ts';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key spelling `obj` uses for `name`, matched case-insensitively. */
export function findKey(obj: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((key) => key.toLowerCase() === lower);
}

export function getKey(obj: JsonObject, name: string): unknown {
  const key = findKey(obj, name);
  return key === undefined ? undefined : obj[key];
}

/** Sets `name`, keeping the existing key's spelling when there is one. */
export function setKey(obj: JsonObject, name: string, value: unknown): void {
  obj[findKey(obj, name) ?? name] = value;
}

export function deleteKey(obj: JsonObject, name: string): void {
  const key = findKey(obj, name);
  if (key !== undefined) delete obj[key];
}

/** The extension objects of a resource: top-level `urn:…` keys whose value is an object. */
export function extensionObjects(resource: JsonObject): [string, JsonObject][] {
  return Object.entries(resource).filter((entry): entry is [string, JsonObject] =>
    /^urn:/i.test(entry[0]) && isObject(entry[1]));
}

/**
 * The value at an attribute (sub-attribute not applied). A non-core URN prefix reads from that
 * extension object; an unprefixed name not at the top level is looked for in the extensions, as
 * Entra filters on the enterprise `manager` without its URN.
 */
export function readAttribute(resource: JsonObject, path: AttributePath): unknown {
  if (path.schema !== undefined && !isCoreSchema(path.schema)) {
    const extension = getKey(resource, path.schema);
    return isObject(extension) ? getKey(extension, path.attribute) : undefined;
  }
  const key = findKey(resource, path.attribute);
  if (key !== undefined) return resource[key];
  if (path.schema !== undefined) return undefined;
  for (const [, extension] of extensionObjects(resource)) {
    const found = findKey(extension, path.attribute);
    if (found !== undefined) return extension[found];
  }
  return undefined;
}

/** `undefined`/`null` → [], an array → itself, anything else → [it]. */
export function toList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * A deep copy of a JSON value (objects, arrays, primitives), as structuredClone makes one but
 * about six times faster: a PATCH copies the whole resource before it applies its operations.
 */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (!isObject(value)) return value;
  const copy: JsonObject = {};
  for (const key of Object.keys(value)) {
    // Assigned, "__proto__" (an own key of parsed JSON) would set the copy's prototype instead.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: cloneJson(value[key]), enumerable: true, writable: true, configurable: true });
    else copy[key] = cloneJson(value[key]);
  }
  return copy as T;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
