import { SCIM } from './protocol.ts';

/** One attribute definition, in the shape RFC 7643 §7 serves from /Schemas. */
export interface AttributeDef {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference' | 'binary' | 'dateTime' | 'integer' | 'decimal';
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  subAttributes?: AttributeDef[];
  referenceTypes?: string[];
  canonicalValues?: string[];
}

export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
}

type Opts = Partial<Omit<AttributeDef, 'name' | 'type' | 'subAttributes'>>;

function attr(name: string, type: AttributeDef['type'], description: string, opts: Opts = {}): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...opts,
  };
}

function complex(name: string, description: string, subAttributes: AttributeDef[], opts: Opts = {}): AttributeDef {
  return { ...attr(name, 'complex', description, opts), subAttributes };
}

/** The sub-attributes every plain multi-valued attribute has (RFC 7643 §2.4). */
function multi(name: string, description: string, valueType: AttributeDef['type'] = 'string', extra: AttributeDef[] = []): AttributeDef {
  return complex(
    name,
    description,
    [
      attr('value', valueType, `The value of ${name}.`),
      attr('display', 'string', 'A human-readable name, primarily used for display purposes.'),
      attr('type', 'string', `A label indicating the ${name} function.`),
      attr('primary', 'boolean', 'Whether this is the preferred value. At most one value may be primary.'),
      ...extra,
    ],
    { multiValued: true },
  );
}

const userAttributes: AttributeDef[] = [
  attr('userName', 'string', 'Unique identifier for the User, typically used to sign in.', { required: true, uniqueness: 'server' }),
  complex('name', "The components of the user's real name.", [
    attr('formatted', 'string', 'The full name, formatted for display.'),
    attr('familyName', 'string', 'The family name.'),
    attr('givenName', 'string', 'The given name.'),
    attr('middleName', 'string', 'The middle name(s).'),
    attr('honorificPrefix', 'string', 'The honorific prefix(es).'),
    attr('honorificSuffix', 'string', 'The honorific suffix(es).'),
  ]),
  attr('displayName', 'string', 'The name of the User, suitable for display to end-users.'),
  attr('nickName', 'string', 'The casual way to address the user.'),
  attr('profileUrl', 'reference', "A URI to the user's online profile.", { referenceTypes: ['external'] }),
  attr('title', 'string', "The user's title, such as \"Vice President\"."),
  attr('userType', 'string', 'The relationship between the organization and the user.'),
  attr('preferredLanguage', 'string', "The user's preferred written or spoken language."),
  attr('locale', 'string', "The user's default location for localization."),
  attr('timezone', 'string', "The user's time zone, in IANA format."),
  attr('active', 'boolean', "The user's administrative status."),
  attr('password', 'string', "The user's cleartext password; never returned.", { mutability: 'writeOnly', returned: 'never', caseExact: true }),
  multi('emails', 'Email addresses for the user.'),
  multi('phoneNumbers', 'Phone numbers for the user.'),
  multi('ims', 'Instant messaging addresses for the user.'),
  multi('photos', 'URLs of photos of the user.', 'reference'),
  complex(
    'addresses',
    'A physical mailing address for this user.',
    [
      attr('formatted', 'string', 'The full mailing address.'),
      attr('streetAddress', 'string', 'The street address.'),
      attr('locality', 'string', 'The city or locality.'),
      attr('region', 'string', 'The state or region.'),
      attr('postalCode', 'string', 'The zip code or postal code.'),
      attr('country', 'string', 'The country name, ISO 3166-1 alpha-2.'),
      attr('type', 'string', 'A label indicating the address function.'),
      attr('primary', 'boolean', 'Whether this is the preferred address.'),
    ],
    { multiValued: true },
  ),
  complex(
    'groups',
    'The groups the user belongs to; derived from group membership and read-only.',
    [
      attr('value', 'string', 'The id of the group.', { mutability: 'readOnly' }),
      attr('$ref', 'reference', 'The URI of the group.', { mutability: 'readOnly', referenceTypes: ['Group'] }),
      attr('display', 'string', "The group's displayName.", { mutability: 'readOnly' }),
      attr('type', 'string', 'direct or indirect.', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
    ],
    { multiValued: true, mutability: 'readOnly' },
  ),
  multi('entitlements', 'Entitlements for the user.'),
  multi('roles', 'Roles for the user.'),
  multi('x509Certificates', 'Certificates issued to the user.', 'binary'),
];

const enterpriseAttributes: AttributeDef[] = [
  attr('employeeNumber', 'string', 'A string identifier, typically numeric or alphanumeric, assigned to a person.'),
  attr('costCenter', 'string', 'Identifies the name of a cost center.'),
  attr('organization', 'string', 'Identifies the name of an organization.'),
  attr('division', 'string', 'Identifies the name of a division.'),
  attr('department', 'string', 'Identifies the name of a department.'),
  complex('manager', "The user's manager.", [
    attr('value', 'string', 'The id of the manager.'),
    attr('$ref', 'reference', 'The URI of the manager.', { referenceTypes: ['User'] }),
    attr('displayName', 'string', "The manager's displayName.", { mutability: 'readOnly' }),
  ]),
];

const groupAttributes: AttributeDef[] = [
  attr('displayName', 'string', 'A human-readable name for the Group.', { required: true }),
  complex(
    'members',
    'A list of members of the Group.',
    [
      attr('value', 'string', 'The id of the member.', { mutability: 'immutable' }),
      attr('$ref', 'reference', 'The URI of the member.', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
      attr('display', 'string', "The member's display name.", { mutability: 'readOnly' }),
      attr('type', 'string', 'The kind of member.', { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
    ],
    { multiValued: true },
  ),
];

export const USER_SCHEMA: SchemaDef = { id: SCIM.user, name: 'User', description: 'User Account', attributes: userAttributes };
export const ENTERPRISE_USER_SCHEMA: SchemaDef = {
  id: SCIM.enterpriseUser,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: enterpriseAttributes,
};
export const GROUP_SCHEMA: SchemaDef = { id: SCIM.group, name: 'Group', description: 'Group', attributes: groupAttributes };

/** Finds a definition by name, case-insensitively (attribute names are, RFC 7643 §2.1). */
export function findAttribute(defs: readonly AttributeDef[], name: string): AttributeDef | undefined {
  let index = indexes.get(defs);
  if (!index) indexes.set(defs, (index = new Map(defs.flatMap((d) => [[d.name, d], [d.name.toLowerCase(), d]]))));
  return index.get(name) ?? index.get(name.toLowerCase());
}

const indexes = new WeakMap<readonly AttributeDef[], Map<string, AttributeDef>>();
