import { ScimError, SCIM } from './protocol.ts';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, findAttribute, type AttributeDef } from './attributes.ts';

/** A resource's own attributes as stored: canonical names, no id, meta, schemas or derived groups. */
export type Attributes = Record<string, unknown>;

export interface NormalizeOptions {
  /** Accept "True"/"false" strings for booleans (what Entra sends in PATCH values). */
  coerceBooleanStrings?: boolean;
  /** Keep read-only attributes instead of dropping them (used to detect a PATCH writing one). */
  keepReadOnly?: boolean;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(detail: string): ScimError {
  return new ScimError(400, detail, 'invalidValue');
}

function simpleValue(def: AttributeDef, value: unknown, where: string, options: NormalizeOptions): unknown {
  switch (def.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (options.coerceBooleanStrings && typeof value === 'string') {
        const lower = value.toLowerCase();
        if (lower === 'true' || lower === 'false') return lower === 'true';
      }
      throw invalid(`Attribute '${where}' must be a boolean, got ${JSON.stringify(value)}`);
    case 'integer':
      if (Number.isInteger(value)) return value;
      throw invalid(`Attribute '${where}' must be an integer, got ${JSON.stringify(value)}`);
    case 'decimal':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      throw invalid(`Attribute '${where}' must be a number, got ${JSON.stringify(value)}`);
    case 'dateTime':
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value;
      throw invalid(`Attribute '${where}' must be an xsd:dateTime string, got ${JSON.stringify(value)}`);
    default:
      if (typeof value === 'string') return value;
      throw invalid(`Attribute '${where}' must be a string, got ${JSON.stringify(value)}`);
  }
}

function complexValue(def: AttributeDef, value: unknown, where: string, options: NormalizeOptions): Attributes | undefined {
  if (!isObject(value)) throw invalid(`Attribute '${where}' must be an object, got ${JSON.stringify(value)}`);
  const out = normalizeAttributes(value, def.subAttributes ?? [], where, options);
  return Object.keys(out).length > 0 ? out : undefined;
}

function attributeValue(def: AttributeDef, value: unknown, where: string, options: NormalizeOptions): unknown {
  if (def.multiValued) {
    if (!Array.isArray(value)) throw invalid(`Attribute '${where}' is multi-valued and must be an array`);
    const items: unknown[] = [];
    for (const [i, item] of value.entries()) {
      if (item === null) continue;
      const one = def.type === 'complex' ? complexValue(def, item, `${where}[${i}]`, options) : simpleValue(def, item, `${where}[${i}]`, options);
      if (one !== undefined) items.push(one);
    }
    const primaries = items.filter((item) => isObject(item) && item['primary'] === true).length;
    if (primaries > 1) throw invalid(`At most one value of '${where}' may be primary`);
    return items.length > 0 ? items : undefined;
  }
  return def.type === 'complex' ? complexValue(def, value, where, options) : simpleValue(def, value, where, options);
}

/**
 * Keeps the attributes `defs` knows (matched case-insensitively, written back in canonical case),
 * checks their types, and drops unknown ones, nulls, empty values and read-only ones (RFC 7644
 * §3.3: read-only values a client sends are ignored).
 */
export function normalizeAttributes(
  input: Attributes,
  defs: readonly AttributeDef[],
  prefix: string,
  options: NormalizeOptions = {},
  out: Attributes = {},
): Attributes {
  for (const key in input) {
    const value = input[key];
    const def = findAttribute(defs, key);
    if (!def || value === null || value === undefined) continue;
    if (def.mutability === 'readOnly' && !options.keepReadOnly) continue;
    const where = prefix ? `${prefix}.${def.name}` : def.name;
    const normal = attributeValue(def, value, where, options);
    if (normal !== undefined) out[def.name] = normal;
  }
  return out;
}

/** The value under `name` whatever case its key is written in (RFC 7643 §2.1). */
function caseless(obj: Attributes, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const key in obj) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

function checkSchemas(body: Attributes, core: string): void {
  const schemas = caseless(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === 'string')) {
    throw new ScimError(400, "Request body must carry 'schemas', an array of schema URNs", 'invalidSyntax');
  }
  if (!schemas.some((s) => s.toLowerCase() === core.toLowerCase())) {
    throw new ScimError(400, `'schemas' must include ${core}`, 'invalidSyntax');
  }
}

export interface NormalizedBody {
  /** The `id` the body carried, if any (PUT checks it against the URL). */
  id: unknown;
  attrs: Attributes;
}


/** Checks and canonicalises a User body (POST, PUT or the result of a PATCH). */
export function normalizeUser(body: unknown, options: NormalizeOptions & { requireSchemas?: boolean } = {}): NormalizedBody {
  if (!isObject(body)) throw new ScimError(400, 'Request body must be a JSON object', 'invalidSyntax');
  if (options.requireSchemas !== false) checkSchemas(body, SCIM.user);
  const attrs = normalizeAttributes(body, USER_SCHEMA.attributes, '', options, externalIdOf(body));
  const enterprise = caseless(body, SCIM.enterpriseUser);
  if (enterprise !== undefined && enterprise !== null) {
    if (!isObject(enterprise)) throw invalid(`'${SCIM.enterpriseUser}' must be an object`);
    const ext = normalizeAttributes(enterprise, ENTERPRISE_USER_SCHEMA.attributes, SCIM.enterpriseUser, options);
    for (const _ in ext) {
      attrs[SCIM.enterpriseUser] = ext;
      break;
    }
  }
  const userName = attrs['userName'];
  if (typeof userName !== 'string' || userName.trim() === '') {
    throw new ScimError(400, "Attribute 'userName' is required", 'invalidValue');
  }
  return { id: caseless(body, 'id'), attrs };
}

/** Checks and canonicalises a Group body. Member references are checked by the store. */
export function normalizeGroup(body: unknown, options: NormalizeOptions & { requireSchemas?: boolean } = {}): NormalizedBody {
  if (!isObject(body)) throw new ScimError(400, 'Request body must be a JSON object', 'invalidSyntax');
  if (options.requireSchemas !== false) checkSchemas(body, SCIM.group);
  const attrs = normalizeAttributes(body, GROUP_SCHEMA.attributes, '', options, externalIdOf(body));
  const displayName = attrs['displayName'];
  if (typeof displayName !== 'string' || displayName.trim() === '') {
    throw new ScimError(400, "Attribute 'displayName' is required", 'invalidValue');
  }
  const members = attrs['members'];
  if (Array.isArray(members)) {
    const seen = new Set<string>();
    const kept: Attributes[] = [];
    for (const member of members as Attributes[]) {
      const value = member['value'];
      if (typeof value !== 'string' || value === '') throw invalid("Every member needs a 'value', the member's id");
      const type = member['type'];
      let canonicalType: string | undefined;
      if (type !== undefined) {
        canonicalType = typeof type === 'string' ? ['User', 'Group'].find((t) => t.toLowerCase() === type.toLowerCase()) : undefined;
        if (!canonicalType) throw invalid(`Member type must be 'User' or 'Group', got ${JSON.stringify(type)}`);
      }
      if (seen.has(value)) continue;
      seen.add(value);
      kept.push(canonicalType ? { value, type: canonicalType } : { value });
    }
    if (kept.length > 0) attrs['members'] = kept;
    else delete attrs['members'];
  }
  return { id: caseless(body, 'id'), attrs };
}

/** `externalId` is common to every resource (RFC 7643 §3.1): a case-exact string, kept first. */
function externalIdOf(body: Attributes): Attributes {
  const value = caseless(body, 'externalId');
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') throw invalid(`Attribute 'externalId' must be a string, got ${JSON.stringify(value)}`);
  return { externalId: value };
}
