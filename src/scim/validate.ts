// Checks a User or Group body against its schema and answers it in canonical form: attribute
// names spelled as the schema spells them, nulls and empty lists dropped (unassigned), "True" and
// "False" made booleans, read-only attributes ignored and write-only ones (password) discarded.
// Anything the schema does not know, or a value of the wrong type, is a 400 naming it.
import { ScimError } from './errors.ts';
import { isObject, type JsonObject } from './resource.ts';
import { subAttribute, type AttributeDefinition, type ResourceTypeDefinition, type SchemaDefinition } from './resource-schemas.ts';

/** How deep a request body may nest; SCIM resources need 4 (an extension's complex attribute). */
export const maxBodyDepth = 16;

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

export interface CheckOptions {
  /** create and replace need `schemas` listing the core schema; a patched body keeps its own. */
  requireSchemas: boolean;
}

/** The canonical body of a resource (no id, no meta): what roster stores. */
export function checkResource(type: ResourceTypeDefinition, body: unknown, options: CheckOptions): JsonObject {
  if (!isObject(body)) throw invalid('invalidSyntax', `a ${type.name} must be a JSON object`);
  checkDepth(body);
  const out: JsonObject = {};
  const seen = new Map<string, string>();
  const claim = (canonical: string, sent: string) => {
    const before = seen.get(canonical);
    if (before !== undefined) throw invalid('invalidSyntax', `"${sent}" and "${before}" are the same attribute; send it once`);
    seen.set(canonical, sent);
  };
  readSchemas(type, body, options.requireSchemas);
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (lower === 'schemas') continue;
    // RFC 7643 §3.1: id and meta are the server's; a client sending them is ignored, as is the
    // read-only `groups` of a User (Okta sends `groups: []`).
    if (lower === 'id' || lower === 'meta' || (type.name === 'User' && lower === 'groups')) continue;
    if (lower === 'externalid') {
      claim('externalId', key);
      const text = simple({ name: 'externalId', type: 'string' } as AttributeDefinition, value, 'externalId');
      if (text !== undefined) out.externalId = text;
      continue;
    }
    const extension = type.extensions.find((e) => e.id.toLowerCase() === lower);
    if (extension) {
      claim(extension.id, key);
      if (value === null) continue;
      if (!isObject(value)) throw invalid('invalidValue', `"${key}" must be an object of ${extension.name} attributes`);
      const inner = checkAttributes(extension, value, extension.id);
      if (Object.keys(inner).length > 0) out[extension.id] = inner;
      continue;
    }
    if (/^urn:/i.test(key)) throw invalid('invalidSyntax', `roster does not support the schema extension "${key}" on a ${type.name}`);
    const attribute = type.schema.attributes.find((a) => a.name.toLowerCase() === lower);
    if (!attribute) throw invalid('invalidSyntax', `a ${type.name} has no attribute "${key}" (see /Schemas/${type.schema.id})`);
    claim(attribute.name, key);
    const checked = checkValue(attribute, value, attribute.name);
    if (checked !== undefined && attribute.mutability !== 'writeOnly') out[attribute.name] = checked;
  }
  for (const attribute of type.schema.attributes) {
    if (attribute.required && (typeof out[attribute.name] !== 'string' || (out[attribute.name] as string).trim() === '')) {
      throw invalid('invalidValue', `a ${type.name} needs "${attribute.name}"`);
    }
  }
  const extensions = type.extensions.filter((e) => out[e.id] !== undefined);
  return { schemas: [type.schema.id, ...extensions.map((e) => e.id)], ...out };
}

function readSchemas(type: ResourceTypeDefinition, body: JsonObject, required: boolean): void {
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'schemas');
  const schemas = key === undefined ? undefined : body[key];
  if (schemas === undefined || schemas === null) {
    if (required) throw invalid('invalidSyntax', `"schemas" must list "${type.schema.id}"`);
    return;
  }
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === 'string')) throw invalid('invalidSyntax', '"schemas" must be an array of schema URNs');
  const lower = new Set(schemas.map((s) => (s as string).toLowerCase()));
  if (required && !lower.has(type.schema.id.toLowerCase())) throw invalid('invalidSyntax', `"schemas" must list "${type.schema.id}"`);
}

function checkAttributes(schema: SchemaDefinition, value: JsonObject, prefix: string): JsonObject {
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    const attribute = schema.attributes.find((a) => a.name.toLowerCase() === key.toLowerCase());
    if (!attribute) throw invalid('invalidSyntax', `${schema.name} has no attribute "${key}" (see /Schemas/${schema.id})`);
    if (out[attribute.name] !== undefined) throw invalid('invalidSyntax', `"${prefix}:${attribute.name}" was sent twice`);
    const checked = checkValue(attribute, item, `${prefix}:${attribute.name}`);
    if (checked !== undefined) out[attribute.name] = checked;
  }
  return out;
}

function checkValue(attribute: AttributeDefinition, value: unknown, where: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (!attribute.multiValued) return single(attribute, value, where);
  const list = Array.isArray(value) ? value : [value];
  const items = list.map((item, i) => single(attribute, item, `${where}[${i}]`)).filter((item) => item !== undefined);
  return items.length > 0 ? items : undefined;
}

function single(attribute: AttributeDefinition, value: unknown, where: string): unknown {
  if (value === null) return undefined;
  if (attribute.type !== 'complex') return simple(attribute, value, where);
  // A bare id where a reference object belongs (`"manager": "123"`) is read as its value.
  const object = typeof value === 'string' && subAttribute(attribute, 'value') ? { value } : value;
  if (!isObject(object)) throw invalid('invalidValue', `"${where}" must be an object`);
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(object)) {
    const sub = subAttribute(attribute, key);
    if (!sub) throw invalid('invalidSyntax', `"${where}" has no sub-attribute "${key}"`);
    if (out[sub.name] !== undefined) throw invalid('invalidSyntax', `"${where}.${sub.name}" was sent twice`);
    const checked = simple(sub, item, `${where}.${sub.name}`);
    if (checked !== undefined) out[sub.name] = checked;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function simple(attribute: AttributeDefinition, value: unknown, where: string): unknown {
  if (value === null || value === undefined) return undefined;
  switch (attribute.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      // Entra sends "True" and "False".
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      throw invalid('invalidValue', `"${where}" must be true or false`);
    case 'dateTime':
      if (typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) return value;
      throw invalid('invalidValue', `"${where}" must be an xsd:dateTime such as 2026-01-31T12:00:00Z`);
    case 'integer':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      throw invalid('invalidValue', `"${where}" must be an integer`);
    case 'decimal':
      if (typeof value === 'number') return value;
      throw invalid('invalidValue', `"${where}" must be a number`);
    case 'complex':
      throw invalid('invalidValue', `"${where}" cannot hold an object`);
    default:
      // PostgreSQL text holds neither U+0000 (a 500 from the database) nor a lone surrogate (stored as U+FFFD).
      if (typeof value === 'string' && value.includes('\u0000')) throw invalid('invalidValue', `"${where}" must not contain the character U+0000`);
      if (typeof value === 'string' && !value.isWellFormed()) throw invalid('invalidValue', `"${where}" must not contain a lone surrogate`);
      if (typeof value === 'string') return value;
      throw invalid('invalidValue', `"${where}" must be a string`);
  }
}

/** 400 when JSON nests deeper than any SCIM resource can (checked without recursion). */
export function checkDepth(value: unknown, limit = maxBodyDepth): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    if (depth > limit) throw invalid('invalidSyntax', `the body nests deeper than ${limit} levels`);
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
}

function invalid(scimType: 'invalidSyntax' | 'invalidValue', detail: string): ScimError {
  return new ScimError(400, detail, scimType);
}
