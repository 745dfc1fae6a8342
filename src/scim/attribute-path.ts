/** An attribute reference: `userName`, `name.givenName`, `urn:…:User:manager.value`. Names keep the spelling sent. */
export interface AttributePath {
  /** The schema URN prefix, when one was written. */
  schema?: string;
  attribute: string;
  subAttribute?: string;
}

// RFC 7643 §2.1: ATTRNAME = ALPHA *(nameChar); `$ref` is the one name with a `$`.
const NAME = /^\$?[A-Za-z][\w-]*$/;
// RFC 8141: urn:NID:NSS.
const URN = /^urn:[a-z0-9][a-z0-9-]{0,31}:\S+$/i;
const CORE_PREFIX = 'urn:ietf:params:scim:schemas:core:';

export function isAttributeName(text: string): boolean {
  return NAME.test(text);
}

/** True for the core User/Group/… schemas, whose attributes live at the top level of a resource. */
export function isCoreSchema(schema: string): boolean {
  return schema.toLowerCase().startsWith(CORE_PREFIX);
}

/**
 * Splits `[URN ":"] name ["." sub]`. Attribute names cannot contain `:`, so the schema URN is
 * everything before the last colon (URNs themselves contain colons and dots, as in `2.0`).
 * Returns the reason as a string when the text is not an attribute path.
 */
export function splitAttributePath(text: string): AttributePath | string {
  let rest = text;
  let schema: string | undefined;
  if (/^urn:/i.test(text)) {
    const at = text.lastIndexOf(':');
    schema = text.slice(0, at);
    rest = text.slice(at + 1);
    if (!URN.test(schema)) return `"${schema}" is not a schema URN`;
    if (rest === '') return `expected an attribute name after the schema URN "${schema}:"`;
  } else if (text.includes(':')) {
    return `"${text}" is not an attribute path (only a schema URN prefix may contain ":")`;
  }
  const parts = rest.split('.');
  if (parts.length > 2) return `"${text}" has more than one sub-attribute level`;
  const [attribute = '', subAttribute] = parts;
  if (!NAME.test(attribute)) return `"${attribute}" is not a valid attribute name`;
  if (subAttribute !== undefined && !NAME.test(subAttribute)) {
    return subAttribute === ''
      ? `expected a sub-attribute name after "${attribute}."`
      : `"${subAttribute}" is not a valid sub-attribute name`;
  }
  const path: AttributePath = { attribute };
  if (schema !== undefined) path.schema = schema;
  if (subAttribute !== undefined) path.subAttribute = subAttribute;
  return path;
}

/** The lower-cased dotted key of a path: `emails.value`, `urn:…:user:manager`; core URN prefixes dropped. */
export function attributeKey(path: AttributePath): string {
  let key = path.attribute.toLowerCase();
  if (path.schema !== undefined && !isCoreSchema(path.schema)) key = `${path.schema.toLowerCase()}:${key}`;
  if (path.subAttribute !== undefined) key += `.${path.subAttribute.toLowerCase()}`;
  return key;
}
