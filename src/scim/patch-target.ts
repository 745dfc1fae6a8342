import { isCoreSchema, type AttributePath } from './attribute-path.ts';
import { extensionObjects, findKey, getKey, isObject, type JsonObject } from './resource.ts';
import { SCIM } from './schemas.ts';

export interface PatchContext {
  booleans: ReadonlySet<string>;
  singles: ReadonlySet<string>;
  readOnly: readonly string[];
  extensionAttributes: ReadonlyMap<string, string>;
  caseExact: (path: string) => boolean;
}

/** Where an attribute lives (the resource or an extension object) and the key to use there. */
export interface Target {
  container: JsonObject;
  /** The existing key's spelling, or the name as sent for a new attribute. */
  key: string;
  /** Lower-case keys the options may list it under: `manager` and `urn:…:user:manager`. */
  names: string[];
}

/**
 * Resolves an attribute path to its container. An unprefixed name is found at the top level,
 * then in an existing extension, then (for a new attribute) in the extension that
 * `extensionAttributes` says it belongs to. With `create`, a missing extension object is added.
 */
export function resolveTarget(resource: JsonObject, path: AttributePath, create: boolean, ctx: PatchContext): Target | undefined {
  const { attribute, schema } = path;
  if (schema !== undefined && !isCoreSchema(schema)) {
    const extension = extensionContainer(resource, schema, create);
    return extension && target(extension.container, attribute, extension.schema);
  }
  if (schema === undefined && findKey(resource, attribute) === undefined) {
    for (const [name, extension] of extensionObjects(resource)) {
      if (findKey(extension, attribute) !== undefined) return target(extension, attribute, name);
    }
    const home = ctx.extensionAttributes.get(attribute.toLowerCase());
    if (home !== undefined) {
      const extension = extensionContainer(resource, home, create);
      return extension && target(extension.container, attribute, extension.schema);
    }
  }
  return target(resource, attribute, undefined);
}

function target(container: JsonObject, attribute: string, schema: string | undefined): Target {
  const lower = attribute.toLowerCase();
  const names = schema === undefined ? [lower] : [lower, `${schema.toLowerCase()}:${lower}`];
  return { container, key: findKey(container, attribute) ?? attribute, names };
}

function extensionContainer(resource: JsonObject, schema: string, create: boolean): { container: JsonObject; schema: string } | undefined {
  const key = findKey(resource, schema);
  const existing = key === undefined ? undefined : resource[key];
  if (key !== undefined && isObject(existing)) return { container: existing, schema: key };
  if (!create) return undefined;
  const container: JsonObject = {};
  resource[key ?? schema] = container;
  declareSchema(resource, key ?? schema);
  return { container, schema: key ?? schema };
}

/** Lists an extension in `schemas` (RFC 7643 §3), when the resource has a `schemas` array. */
function declareSchema(resource: JsonObject, schema: string): void {
  const schemas = getKey(resource, 'schemas');
  const lower = schema.toLowerCase();
  if (Array.isArray(schemas) && !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === lower)) {
    schemas.push(schema);
  }
}

/**
 * The spelling of `text` as a whole schema URN (a path or path-less key naming an extension
 * object), or undefined. Known schemas: the resource's `schemas`, its extension objects, and
 * the URNs roster speaks.
 */
export function schemaKey(resource: JsonObject, text: string): string | undefined {
  if (!/^urn:/i.test(text)) return undefined;
  const lower = text.toLowerCase();
  const declared = getKey(resource, 'schemas');
  const known = [
    ...extensionObjects(resource).map(([name]) => name),
    ...(Array.isArray(declared) ? declared.filter((s): s is string => typeof s === 'string') : []),
    ...Object.values(SCIM),
  ];
  return known.find((name) => name.toLowerCase() === lower);
}

/** Removes an extension object and its entry in `schemas`. */
export function removeExtension(resource: JsonObject, schema: string): void {
  const key = findKey(resource, schema);
  if (key !== undefined) delete resource[key];
  const schemas = getKey(resource, 'schemas');
  if (Array.isArray(schemas)) {
    const lower = schema.toLowerCase();
    const at = schemas.findIndex((s) => typeof s === 'string' && s.toLowerCase() === lower);
    if (at >= 0) schemas.splice(at, 1);
  }
}
