// The resources roster serves over inbound SCIM, as RFC 7643 §7 schema definitions. One source of
// truth: /Schemas renders them, request bodies are checked and their keys canonicalised against
// them, and filters and sortBy resolve their paths through them.
import { SCIM } from './schemas.ts';

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: 'none' | 'server' | 'global';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDefinition[];
}

export interface SchemaDefinition {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDefinition[];
}

type Options = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

function attr(name: string, type: AttributeType, description: string, options: Options = {}): AttributeDefinition {
  return { name, type, multiValued: false, description, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...options };
}

const str = (name: string, description: string, options: Options = {}) => attr(name, 'string', description, options);
const multi = (name: string, description: string, subAttributes: AttributeDefinition[], options: Options = {}) =>
  attr(name, 'complex', description, { multiValued: true, subAttributes, ...options });
const typeAttr = (values: string[]) => str('type', 'A label for the value’s function', { canonicalValues: values });
const primary = attr('primary', 'boolean', 'Whether this is the preferred value');
const display = str('display', 'A human-readable name', { mutability: 'readOnly' });

export const userSchema: SchemaDefinition = {
  id: SCIM.user,
  name: 'User',
  description: 'A person pushed by the identity provider',
  attributes: [
    str('userName', 'Unique identifier for the User, typically used to sign in', { required: true, uniqueness: 'server' }),
    attr('name', 'complex', 'The components of the user’s name', {
      subAttributes: [
        str('formatted', 'The full name, formatted for display'),
        str('familyName', 'The family name'),
        str('givenName', 'The given name'),
        str('middleName', 'The middle name(s)'),
        str('honorificPrefix', 'The honorific prefix(es)'),
        str('honorificSuffix', 'The honorific suffix(es)'),
      ],
    }),
    str('displayName', 'The name of the User, suitable for display'),
    str('nickName', 'The casual way to address the user'),
    attr('profileUrl', 'reference', 'A URI of the user’s online profile', { referenceTypes: ['external'] }),
    str('title', 'The user’s title, such as “Vice President”'),
    str('userType', 'The relationship between the organisation and the user'),
    str('preferredLanguage', 'The user’s preferred written or spoken language'),
    str('locale', 'The user’s default location, for localising'),
    str('timezone', 'The user’s time zone, in IANA form'),
    attr('active', 'boolean', 'The user’s administrative status; false makes them a leaver in every app'),
    str('password', 'Accepted and discarded: roster never stores passwords', { mutability: 'writeOnly', returned: 'never' }),
    multi('emails', 'Email addresses for the user', [str('value', 'The email address'), str('display', 'A human-readable name'), typeAttr(['work', 'home', 'other']), primary]),
    multi('phoneNumbers', 'Phone numbers for the user', [str('value', 'The phone number'), str('display', 'A human-readable name'), typeAttr(['work', 'home', 'mobile', 'fax', 'pager', 'other']), primary]),
    multi('ims', 'Instant messaging addresses for the user', [str('value', 'The address'), str('display', 'A human-readable name'), str('type', 'The service'), primary]),
    multi('photos', 'URLs of photos of the user', [attr('value', 'reference', 'The URL of the photo', { referenceTypes: ['external'] }), str('display', 'A human-readable name'), typeAttr(['photo', 'thumbnail']), primary]),
    multi('addresses', 'The user’s physical mailing addresses', [
      str('formatted', 'The full mailing address'),
      str('streetAddress', 'The street address'),
      str('locality', 'The city or locality'),
      str('region', 'The state or region'),
      str('postalCode', 'The postal code'),
      str('country', 'The country, as an ISO 3166-1 alpha-2 code'),
      typeAttr(['work', 'home', 'other']),
      primary,
    ]),
    multi('entitlements', 'Entitlements of the user', [str('value', 'The entitlement'), str('display', 'A human-readable name'), str('type', 'A label'), primary]),
    multi('roles', 'Roles of the user', [str('value', 'The role'), str('display', 'A human-readable name'), str('type', 'A label'), primary]),
    multi(
      'groups',
      'The IdP groups the user belongs to; read-only: memberships change through the Group',
      [
        str('value', 'The id of the Group', { mutability: 'readOnly' }),
        attr('$ref', 'reference', 'The URI of the Group', { referenceTypes: ['Group'], mutability: 'readOnly' }),
        display,
        str('type', 'How the user belongs to the group', { canonicalValues: ['direct', 'indirect'], mutability: 'readOnly' }),
      ],
      { mutability: 'readOnly' },
    ),
    multi('x509Certificates', 'Certificates of the user', [attr('value', 'string', 'A DER certificate, base64'), str('display', 'A human-readable name'), str('type', 'A label'), primary]),
  ],
};

export const enterpriseUserSchema: SchemaDefinition = {
  id: SCIM.enterpriseUser,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    str('employeeNumber', 'A numeric or alphanumeric identifier assigned to the person'),
    str('costCenter', 'The name of a cost center'),
    str('organization', 'The name of an organization'),
    str('division', 'The name of a division'),
    str('department', 'The name of a department; policy can assign apps by it'),
    attr('manager', 'complex', 'The user’s manager', {
      subAttributes: [
        str('value', 'The id of the manager’s User'),
        attr('$ref', 'reference', 'The URI of the manager’s User', { referenceTypes: ['User'] }),
        str('displayName', 'The manager’s displayName', { mutability: 'readOnly' }),
      ],
    }),
  ],
};

export const groupSchema: SchemaDefinition = {
  id: SCIM.group,
  name: 'Group',
  description: 'An identity provider group; policy maps groups to app access, app groups and roles',
  attributes: [
    str('displayName', 'A human-readable name for the Group, unique in roster', { required: true, uniqueness: 'server' }),
    multi('members', 'The Users in the Group (nested groups are not supported)', [
      str('value', 'The id of a User', { mutability: 'immutable' }),
      attr('$ref', 'reference', 'The URI of the User', { mutability: 'immutable', referenceTypes: ['User'] }),
      { ...display },
      str('type', 'The kind of member', { mutability: 'immutable', canonicalValues: ['User'] }),
    ]),
  ],
};

/** The attributes every resource has (RFC 7643 §3.1), outside any schema's list. */
export const commonAttributes: AttributeDefinition[] = [
  str('id', 'Unique identifier, assigned by roster', { caseExact: true, mutability: 'readOnly', returned: 'always', uniqueness: 'server' }),
  str('externalId', 'The identifier the identity provider uses', { caseExact: true }),
  attr('meta', 'complex', 'Resource metadata', {
    mutability: 'readOnly',
    subAttributes: [
      str('resourceType', 'The name of the resource type', { caseExact: true, mutability: 'readOnly' }),
      attr('created', 'dateTime', 'When the resource was added', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', 'When the resource was last changed', { mutability: 'readOnly' }),
      attr('location', 'reference', 'The URI of the resource', { caseExact: true, mutability: 'readOnly', referenceTypes: ['uri'] }),
      str('version', 'The weak ETag of the resource', { caseExact: true, mutability: 'readOnly' }),
    ],
  }),
];

/** A resource type roster serves: its core schema and extensions. */
export interface ResourceTypeDefinition {
  name: 'User' | 'Group';
  endpoint: '/Users' | '/Groups';
  description: string;
  schema: SchemaDefinition;
  extensions: SchemaDefinition[];
}

export const userResourceType: ResourceTypeDefinition = {
  name: 'User',
  endpoint: '/Users',
  description: 'People, pushed by Entra ID or Okta',
  schema: userSchema,
  extensions: [enterpriseUserSchema],
};

export const groupResourceType: ResourceTypeDefinition = {
  name: 'Group',
  endpoint: '/Groups',
  description: 'Groups of people, pushed by Entra ID or Okta',
  schema: groupSchema,
  extensions: [],
};

export const resourceTypes: readonly ResourceTypeDefinition[] = [userResourceType, groupResourceType];
export const allSchemas: readonly SchemaDefinition[] = [userSchema, enterpriseUserSchema, groupSchema];

/** Where a path leads in a resource type: the container (core or an extension) and the definitions. */
export interface ResolvedAttribute {
  /** The extension URN, or undefined for the core schema and common attributes. */
  extension?: string;
  attribute: AttributeDefinition;
  sub?: AttributeDefinition;
}

const byName = (list: readonly AttributeDefinition[], name: string) => list.find((a) => a.name.toLowerCase() === name.toLowerCase());

/**
 * Resolves `[urn:]attr[.sub]` in a resource type, the way the in-memory matcher reads: the core
 * schema (and common attributes) first, then, for a name without a URN, each extension.
 */
export function resolveAttribute(type: ResourceTypeDefinition, path: { schema?: string | undefined; attribute: string; subAttribute?: string | undefined }): ResolvedAttribute | undefined {
  const core = [...commonAttributes, ...type.schema.attributes];
  let found: ResolvedAttribute | undefined;
  if (path.schema === undefined || path.schema.toLowerCase() === type.schema.id.toLowerCase()) {
    const attribute = byName(core, path.attribute);
    if (attribute) found = { attribute };
  }
  if (!found) {
    for (const extension of type.extensions) {
      if (path.schema !== undefined && path.schema.toLowerCase() !== extension.id.toLowerCase()) continue;
      const attribute = byName(extension.attributes, path.attribute);
      if (attribute) {
        found = { extension: extension.id, attribute };
        break;
      }
    }
  }
  if (!found) return undefined;
  if (path.subAttribute === undefined) return found;
  const sub = byName(found.attribute.subAttributes ?? [], path.subAttribute);
  return sub ? { ...found, sub } : undefined;
}

/** The sub-attribute of a complex attribute, by name (case-insensitive). */
export function subAttribute(attribute: AttributeDefinition, name: string): AttributeDefinition | undefined {
  return byName(attribute.subAttributes ?? [], name);
}

/** RFC 7643 §7: a schema as the /Schemas endpoint serves it. */
export function schemaDocument(schema: SchemaDefinition, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SCIM.schema],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

function attributeDocument(a: AttributeDefinition): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    name: a.name,
    type: a.type,
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
  };
  if (a.canonicalValues) doc.canonicalValues = a.canonicalValues;
  if (a.referenceTypes) doc.referenceTypes = a.referenceTypes;
  if (a.subAttributes) doc.subAttributes = a.subAttributes.map(attributeDocument);
  return doc;
}

export function resourceTypeDocument(type: ResourceTypeDefinition, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [SCIM.resourceType],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema.id,
    schemaExtensions: type.extensions.map((e) => ({ schema: e.id, required: false })),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${type.name}` },
  };
}
