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
export function normalizeAttributes(input: Attributes, defs: readonly AttributeDef[], prefix: string, options: NormalizeOptions = {}): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(input)) {
    const def = findAttribute(defs, key);
    if (!def || value === null || value === undefined) continue;
    if (def.mutability === 'readOnly' && !options.keepReadOnly) continue;
    const where = prefix ? `${prefix}.${def.name}` : def.name;
    const normal = attributeValue(def, value, where, options);
    if (normal !== undefined) out[def.name] = normal;
  }
  return out;
}

function checkSchemas(body: Attributes, core: string): void {
  const schemas = Object.entries(body).find(([k]) => k.toLowerCase() === 'schemas')?.[1];
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

function bodyId(body: Attributes): unknown {
  return Object.entries(body).find(([k]) => k.toLowerCase() === 'id')?.[1];
}

/** Checks and canonicalises a User body (POST, PUT or the result of a PATCH). */
export function normalizeUser(body: unknown, options: NormalizeOptions & { requireSchemas?: boolean } = {}): NormalizedBody {
  if (!isObject(body)) throw new ScimError(400, 'Request body must be a JSON object', 'invalidSyntax');
  if (options.requireSchemas !== false) checkSchemas(body, SCIM.user);
  const attrs = withExternalId(body, normalizeAttributes(body, USER_SCHEMA.attributes, '', options));
  const enterpriseKey = SCIM.enterpriseUser.toLowerCase();
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() !== enterpriseKey || value === null) continue;
    if (!isObject(value)) throw invalid(`'${SCIM.enterpriseUser}' must be an object`);
    const ext = normalizeAttributes(value, ENTERPRISE_USER_SCHEMA.attributes, SCIM.enterpriseUser, options);
    if (Object.keys(ext).length > 0) attrs[SCIM.enterpriseUser] = ext;
  }
  const userName = attrs['userName'];
  if (typeof userName !== 'string' || userName.trim() === '') {
    throw new ScimError(400, "Attribute 'userName' is required", 'invalidValue');
  }
  return { id: bodyId(body), attrs };
}

/** Checks and canonicalises a Group body. Member references are checked by the store. */
export function normalizeGroup(body: unknown, options: NormalizeOptions & { requireSchemas?: boolean } = {}): NormalizedBody {
  if (!isObject(body)) throw new ScimError(400, 'Request body must be a JSON object', 'invalidSyntax');
  if (options.requireSchemas !== false) checkSchemas(body, SCIM.group);
  const attrs = withExternalId(body, normalizeAttributes(body, GROUP_SCHEMA.attributes, '', options));
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
  return { id: bodyId(body), attrs };
}

/** `externalId` is common to every resource (RFC 7643 §3.1): a case-exact string, put first. */
function withExternalId(body: Attributes, attrs: Attributes): Attributes {
  const value = Object.entries(body).find(([k]) => k.toLowerCase() === 'externalid')?.[1];
  if (value === undefined || value === null) return attrs;
  if (typeof value !== 'string') throw invalid(`Attribute 'externalId' must be a string, got ${JSON.stringify(value)}`);
  return { externalId: value, ...attrs };
}
