import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError, type ScimType } from './errors.ts';
import { applyPatch, type PatchOptions } from './patch.ts';
import { SCIM } from './schemas.ts';

const ENTERPRISE = SCIM.enterpriseUser;

function message(...operations: unknown[]): unknown {
  return { schemas: [SCIM.patchOp], Operations: operations };
}

function patch(resource: Record<string, unknown>, operations: unknown[], options?: PatchOptions): Record<string, unknown> {
  return applyPatch(resource, message(...operations), options);
}

function fails(run: () => unknown, scimType: ScimType, detail?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ScimError, 'a ScimError');
    assert.equal(error.status, 400);
    assert.equal(error.scimType, scimType);
    if (detail) assert.match(error.detail, detail);
    return true;
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

function user(): Record<string, unknown> {
  return {
    schemas: [SCIM.user, ENTERPRISE],
    id: 'u-1',
    externalId: 'ext-1',
    userName: 'bjensen@example.com',
    name: { formatted: 'Barbara Jensen', givenName: 'Barbara', familyName: 'Jensen' },
    active: true,
    emails: [{ primary: true, type: 'work', value: 'bjensen@example.com' }],
    [ENTERPRISE]: { employeeNumber: '701984', department: 'Sales' },
    meta: { resourceType: 'User', version: 'W/"1"' },
  };
}

function group(...ids: string[]): Record<string, unknown> {
  return {
    schemas: [SCIM.group],
    id: 'g-1',
    displayName: 'Sales',
    members: ids.map((value) => ({ value, $ref: `https://roster/scim/v2/Users/${value}` })),
  };
}

const memberIds = (resource: Record<string, unknown>) =>
  ((resource.members ?? []) as { value: string }[]).map((member) => member.value);

describe('applyPatch: the PatchOp message', () => {
  it('rejects a body that is not a PatchOp message', () => {
    fails(() => applyPatch(user(), null), 'invalidSyntax', /JSON object/);
    fails(() => applyPatch(user(), [{ op: 'add' }]), 'invalidSyntax', /JSON object/);
    fails(() => applyPatch(user(), { Operations: [{ op: 'add', path: 'title', value: 'x' }] }), 'invalidSyntax', /schemas/);
    fails(() => applyPatch(user(), { schemas: [SCIM.user], Operations: [{ op: 'add', path: 'title', value: 'x' }] }), 'invalidSyntax', /PatchOp/);
  });

  it('requires a non-empty Operations array', () => {
    fails(() => applyPatch(user(), { schemas: [SCIM.patchOp] }), 'invalidSyntax', /Operations/);
    fails(() => applyPatch(user(), { schemas: [SCIM.patchOp], Operations: [] }), 'invalidSyntax', /non-empty/);
    fails(() => applyPatch(user(), { schemas: [SCIM.patchOp], Operations: {} }), 'invalidSyntax', /Operations/);
  });

  it('rejects malformed operations, naming which one', () => {
    fails(() => patch(user(), ['add']), 'invalidSyntax', /Operations\[0\] must be an object/);
    fails(() => patch(user(), [{ op: 'add', path: 'a', value: 1 }, { op: 'update', path: 'title', value: 'x' }]), 'invalidSyntax', /Operations\[1\]\.op .*"update"/);
    fails(() => patch(user(), [{ path: 'title', value: 'x' }]), 'invalidSyntax', /op must be/);
    fails(() => patch(user(), [{ op: 'replace', path: 'title' }]), 'invalidSyntax', /needs a "value"/);
    fails(() => patch(user(), [{ op: 'replace', path: 42, value: 'x' }]), 'invalidPath', /path must be a string/);
  });

  it('reports a bad path as invalidPath with the operation index', () => {
    fails(() => patch(user(), [{ op: 'replace', path: 'emails[type eq "work"', value: 'x' }]), 'invalidPath', /^Operations\[0\]: Invalid path/);
  });

  it('never changes the resource it was given', () => {
    const original = deepFreeze(user());
    const result = patch(original, [
      { op: 'replace', path: 'name.givenName', value: 'Babs' },
      { op: 'add', path: 'emails', value: [{ type: 'home', value: 'b@home.org', primary: true }] },
      { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Marketing' },
    ]);
    assert.notEqual(result, original);
    assert.deepEqual(original, user());
    assert.equal((result.name as { givenName: string }).givenName, 'Babs');
  });

  it('is atomic: when a later operation fails, it throws and nothing is applied', () => {
    const original = user();
    fails(() => patch(original, [
      { op: 'replace', path: 'displayName', value: 'Babs' },
      { op: 'remove' },
    ]), 'noTarget', /^Operations\[1\]: "remove" needs a "path"/);
    assert.deepEqual(original, user());
  });
});

describe('applyPatch: RFC 7644 add', () => {
  it('adds a new attribute with the spelling sent', () => {
    const result = patch(user(), [{ op: 'add', path: 'NickName', value: 'Babs' }]);
    assert.equal(result.NickName, 'Babs');
    assert.equal('nickName' in result, false);
  });

  it('keeps the existing spelling when the path spells an attribute differently', () => {
    const result = patch(user(), [{ op: 'add', path: 'USERNAME', value: 'babs@example.com' }]);
    assert.equal(result.userName, 'babs@example.com');
    assert.equal('USERNAME' in result, false);
  });

  it('appends to a multi-valued attribute, skipping values already there', () => {
    const result = patch(user(), [{
      op: 'add', path: 'emails', value: [
        { type: 'work', value: 'bjensen@example.com' },
        { type: 'home', value: 'babs@jensen.org' },
      ],
    }]);
    assert.deepEqual(result.emails, [
      { primary: true, type: 'work', value: 'bjensen@example.com' },
      { type: 'home', value: 'babs@jensen.org' },
    ]);
  });

  it('makes a newly added primary value the only primary one', () => {
    const result = patch(user(), [{ op: 'add', path: 'emails', value: [{ type: 'home', value: 'b@home.org', primary: true }] }]);
    assert.deepEqual((result.emails as { primary?: boolean }[]).map((e) => e.primary), [false, true]);
  });

  it('merges sub-attributes into a complex attribute', () => {
    const result = patch(user(), [{ op: 'add', path: 'name', value: { middleName: 'Jane', givenName: 'Babs' } }]);
    assert.deepEqual(result.name, { formatted: 'Barbara Jensen', givenName: 'Babs', familyName: 'Jensen', middleName: 'Jane' });
  });

  it('adds a sub-attribute, creating the complex attribute if needed', () => {
    const result = patch(user(), [
      { op: 'add', path: 'name.honorificPrefix', value: 'Ms.' },
      { op: 'add', path: 'x509.value', value: 'cert' },
    ]);
    assert.equal((result.name as Record<string, unknown>).honorificPrefix, 'Ms.');
    assert.deepEqual(result['x509'], { value: 'cert' });
  });

  it('creates an extension object, and lists its schema, for a URN-qualified path', () => {
    const bare = { schemas: [SCIM.user], id: 'u-2', userName: 'x' };
    const result = patch(bare, [{ op: 'add', path: `${ENTERPRISE}:costCenter`, value: '4130' }]);
    assert.deepEqual(result[ENTERPRISE], { costCenter: '4130' });
    assert.deepEqual(result.schemas, [SCIM.user, ENTERPRISE]);
  });

  it('adds a whole extension given as a path-less URN key', () => {
    const bare = { schemas: [SCIM.user], id: 'u-2', userName: 'x' };
    const result = patch(bare, [{ op: 'add', value: { [ENTERPRISE]: { division: 'EMEA' } } }]);
    assert.deepEqual(result[ENTERPRISE], { division: 'EMEA' });
    assert.deepEqual(result.schemas, [SCIM.user, ENTERPRISE]);
  });

  it('treats a core-schema URN prefix as the top level', () => {
    const result = patch(user(), [{ op: 'replace', path: `${SCIM.user}:name.givenName`, value: 'Babs' }]);
    assert.equal((result.name as Record<string, unknown>).givenName, 'Babs');
  });

  it('returns values exactly as sent', () => {
    const result = patch(user(), [
      { op: 'replace', path: 'userName', value: 'B.Jensen@Example.COM' },
      { op: 'add', path: 'phoneNumbers', value: [{ type: 'work', value: '+1 (555) 555-0100' }] },
      { op: 'replace', path: 'title', value: 'False' },
    ]);
    assert.equal(result.userName, 'B.Jensen@Example.COM');
    assert.deepEqual(result.phoneNumbers, [{ type: 'work', value: '+1 (555) 555-0100' }]);
    assert.equal(result.title, 'False', 'only boolean attributes are coerced');
  });
});

describe('applyPatch: RFC 7644 replace', () => {
  it('replaces a simple attribute and adds a missing one', () => {
    const result = patch(user(), [
      { op: 'replace', path: 'userName', value: 'babs@example.com' },
      { op: 'replace', path: 'title', value: 'Tour Guide' },
    ]);
    assert.equal(result.userName, 'babs@example.com');
    assert.equal(result.title, 'Tour Guide');
  });

  it('replaces a whole multi-valued attribute', () => {
    const result = patch(user(), [{ op: 'replace', path: 'emails', value: [{ type: 'home', value: 'b@home.org' }] }]);
    assert.deepEqual(result.emails, [{ type: 'home', value: 'b@home.org' }]);
  });

  it('replaces the elements a value filter selects', () => {
    const start = { ...user(), emails: [{ type: 'work', value: 'a@x.com', primary: true }, { type: 'home', value: 'b@y.com' }] };
    const result = patch(start, [{ op: 'replace', path: 'emails[type eq "home"]', value: { type: 'home', value: 'c@z.com' } }]);
    assert.deepEqual(result.emails, [{ type: 'work', value: 'a@x.com', primary: true }, { type: 'home', value: 'c@z.com' }]);
  });

  it('sets a sub-attribute on every element a value filter selects', () => {
    const start = { ...user(), emails: [{ type: 'work', value: 'a@x.com', primary: true }, { type: 'home', value: 'b@y.com' }] };
    const result = patch(start, [{ op: 'replace', path: 'emails[type eq "home"].primary', value: true }]);
    assert.deepEqual(result.emails, [{ type: 'work', value: 'a@x.com', primary: false }, { type: 'home', value: 'b@y.com', primary: true }]);
  });

  it('answers noTarget when a value filter matches nothing and no element can be made from it', () => {
    fails(() => patch(user(), [{ op: 'replace', path: 'emails[value co "nowhere"].type', value: 'work' }]), 'noTarget', /emails/);
    fails(() => patch(user(), [{ op: 'replace', path: 'emails[type eq "home"]', value: { type: 'home', value: 'x@y' } }]), 'noTarget');
    fails(() => patch(user(), [{ op: 'add', path: 'emails[type eq "home"]', value: { value: 'x@y' } }]), 'noTarget');
  });

  it('needs an object value to replace filtered elements whole', () => {
    fails(() => patch(user(), [{ op: 'replace', path: 'emails[type eq "work"]', value: 'x@y' }]), 'invalidValue');
  });

  it('needs an object value without a path', () => {
    fails(() => patch(user(), [{ op: 'replace', value: 'x' }]), 'invalidValue');
    fails(() => patch(user(), [{ op: 'add', value: [{ active: false }] }]), 'invalidValue');
  });

  it('answers noTarget for a sub-attribute of a simple attribute', () => {
    fails(() => patch(user(), [{ op: 'replace', path: 'userName.first', value: 'x' }]), 'noTarget', /userName/);
  });
});

describe('applyPatch: RFC 7644 remove', () => {
  it('answers noTarget without a path', () => {
    fails(() => patch(user(), [{ op: 'remove' }]), 'noTarget');
    fails(() => patch(user(), [{ op: 'remove', path: '  ' }]), 'noTarget');
  });

  it('removes an attribute, a sub-attribute, or an extension attribute', () => {
    const result = patch(user(), [
      { op: 'remove', path: 'externalId' },
      { op: 'remove', path: 'name.formatted' },
      { op: 'remove', path: `${ENTERPRISE}:department` },
    ]);
    assert.equal('externalId' in result, false);
    assert.deepEqual(result.name, { givenName: 'Barbara', familyName: 'Jensen' });
    assert.deepEqual(result[ENTERPRISE], { employeeNumber: '701984' });
  });

  it('removes a whole extension and its schema entry', () => {
    const result = patch(user(), [{ op: 'remove', path: ENTERPRISE }]);
    assert.equal(ENTERPRISE in result, false);
    assert.deepEqual(result.schemas, [SCIM.user]);
  });

  it('succeeds without change when the target is already gone', () => {
    const result = patch(group('a'), [
      { op: 'remove', path: 'nickName' },
      { op: 'remove', path: 'members[value eq "zzz"]' },
      { op: 'remove', path: `${ENTERPRISE}:manager` },
    ]);
    assert.deepEqual(result, group('a'));
  });

  it('removes all members when no value is given', () => {
    const result = patch(group('a', 'b'), [{ op: 'remove', path: 'members' }]);
    assert.equal('members' in result, false);
  });

  it('removes only the elements a value filter selects', () => {
    const start = { ...user(), emails: [{ type: 'work', value: 'a@x.com' }, { type: 'home', value: 'b@y.com' }] };
    const result = patch(start, [{ op: 'remove', path: 'emails[type eq "home"]' }]);
    assert.deepEqual(result.emails, [{ type: 'work', value: 'a@x.com' }]);
  });
});

describe('applyPatch: read-only attributes', () => {
  it('refuses to change id or meta', () => {
    fails(() => patch(user(), [{ op: 'replace', path: 'id', value: 'u-2' }]), 'mutability', /"id" is read-only/);
    fails(() => patch(user(), [{ op: 'remove', path: 'id' }]), 'mutability');
    fails(() => patch(user(), [{ op: 'replace', path: 'meta.version', value: 'W/"9"' }]), 'mutability', /"meta"/);
    fails(() => patch(user(), [{ op: 'replace', value: { ID: 'u-2' } }]), 'mutability');
  });

  it('accepts a full path-less replace that repeats id and meta unchanged', () => {
    const full: Record<string, unknown> = { ...user(), displayName: 'Babs' };
    delete full.schemas;
    const result = patch(user(), [{ op: 'replace', value: full }]);
    assert.equal(result.displayName, 'Babs');
  });

  it('uses the read-only list it is given', () => {
    fails(() => patch(user(), [{ op: 'replace', path: 'userName', value: 'x' }], { readOnly: ['userName'] }), 'mutability');
    const result = patch(user(), [{ op: 'replace', path: 'id', value: 'u-2' }], { readOnly: [] });
    assert.equal(result.id, 'u-2');
  });
});

// The request shapes below are the ones /work/shared/idp-traffic.md records.
describe('applyPatch: Microsoft Entra ID', () => {
  it('matches Title-case op names', () => {
    const result = patch(group('a'), [
      { op: 'Replace', path: 'displayName', value: 'Sales EMEA' },
      { op: 'Add', path: 'members', value: [{ value: 'b' }] },
      { op: 'Remove', path: 'members', value: [{ value: 'a' }] },
    ]);
    assert.equal(result.displayName, 'Sales EMEA');
    assert.deepEqual(memberIds(result), ['b']);
  });

  it('disables with the string "False" and stores a boolean', () => {
    const disabled = patch(user(), [{ op: 'Replace', path: 'active', value: 'False' }]);
    assert.equal(disabled.active, false);
    const enabled = patch(disabled, [{ op: 'Replace', path: 'active', value: 'True' }]);
    assert.equal(enabled.active, true);
  });

  it('coerces "True"/"False" on the boolean attributes it is told about', () => {
    const start = { ...user(), emails: [{ type: 'work', value: 'a@x.com' }] };
    const options = { booleanAttributes: ['active', 'emails.primary'] };
    const result = patch(start, [{ op: 'Replace', path: 'emails[type eq "work"].primary', value: 'True' }], options);
    assert.deepEqual(result.emails, [{ type: 'work', value: 'a@x.com', primary: true }]);
    const untouched = patch(start, [{ op: 'Replace', path: 'emails[type eq "work"].primary', value: 'True' }]);
    assert.deepEqual(untouched.emails, [{ type: 'work', value: 'a@x.com', primary: 'True' }]);
  });

  it('stores a manager sent as a one-element array as the single reference, in the enterprise extension', () => {
    const ref = 'https://roster/scim/v2/Users/m-7';
    const result = patch(user(), [{ op: 'Add', path: 'manager', value: [{ $ref: ref, value: 'm-7' }] }]);
    assert.deepEqual(result[ENTERPRISE], { employeeNumber: '701984', department: 'Sales', manager: { $ref: ref, value: 'm-7' } });
    assert.equal('manager' in result, false);
  });

  it('replaces an existing manager whole, by either path spelling', () => {
    const start = user();
    (start[ENTERPRISE] as Record<string, unknown>).manager = { value: 'm-1', displayName: 'Old Boss', $ref: 'x' };
    const short = patch(start, [{ op: 'Add', path: 'manager', value: [{ value: 'm-2' }] }]);
    assert.deepEqual((short[ENTERPRISE] as Record<string, unknown>).manager, { value: 'm-2' });
    const qualified = patch(start, [{ op: 'replace', path: `${ENTERPRISE}:manager`, value: [{ value: 'm-3' }] }]);
    assert.deepEqual((qualified[ENTERPRISE] as Record<string, unknown>).manager, { value: 'm-3' });
  });

  it('refuses several values for a single-valued attribute', () => {
    fails(() => patch(user(), [{ op: 'Add', path: 'manager', value: [{ value: 'm-1' }, { value: 'm-2' }] }]), 'invalidValue', /single-valued/);
  });

  it('unwraps any attribute listed as single-valued', () => {
    const result = patch(user(), [{ op: 'add', path: 'nickName', value: ['Babs'] }], { singleValuedAttributes: ['nickname'] });
    assert.equal(result.nickName, 'Babs');
  });

  it('removes only the listed members on Remove members with a value', () => {
    const result = patch(group('a', 'b', 'c'), [{ op: 'Remove', path: 'members', value: [{ value: 'b' }] }]);
    assert.deepEqual(memberIds(result), ['a', 'c']);
  });

  it('removes several listed members and ignores ones not in the group', () => {
    const result = patch(group('a', 'b', 'c'), [{ op: 'Remove', path: 'members', value: [{ value: 'a' }, { value: 'zzz' }, { value: 'c' }] }]);
    assert.deepEqual(memberIds(result), ['b']);
  });

  it('accepts and keeps a null $ref in member values', () => {
    const result = patch(group('a'), [{ op: 'Add', path: 'members', value: [{ value: 'b', $ref: null }] }]);
    assert.deepEqual((result.members as unknown[])[1], { value: 'b', $ref: null });
    const removed = patch(result, [{ op: 'Remove', path: 'members', value: [{ value: 'b', $ref: null }] }]);
    assert.deepEqual(memberIds(removed), ['a']);
  });

  it('creates the work email when replace emails[type eq "work"].value finds none', () => {
    const start = { ...user(), emails: [{ type: 'home', value: 'b@home.org' }] };
    const result = patch(start, [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'bj@example.com' }]);
    assert.deepEqual(result.emails, [{ type: 'home', value: 'b@home.org' }, { type: 'work', value: 'bj@example.com' }]);
    const none = { ...user() };
    delete none.emails;
    const created = patch(none, [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'bj@example.com' }]);
    assert.deepEqual(created.emails, [{ type: 'work', value: 'bj@example.com' }]);
  });

  it('sets the value on the existing work email', () => {
    const result = patch(user(), [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }]);
    assert.deepEqual(result.emails, [{ primary: true, type: 'work', value: 'new@example.com' }]);
  });

  describe('with ?aadOptscim062020 (standard PATCH)', () => {
    it('disables with a boolean false', () => {
      assert.equal(patch(user(), [{ op: 'replace', path: 'active', value: false }]).active, false);
    });

    it('removes a member by value filter', () => {
      const result = patch(group('a', 'b'), [{ op: 'remove', path: 'members[value eq "a"]' }]);
      assert.deepEqual(memberIds(result), ['b']);
    });

    it('applies a path-less replace with dotted and URN keys, leaving other sub-attributes', () => {
      const result = patch(user(), [{
        op: 'replace',
        value: { 'name.givenName': 'Babs', [`${ENTERPRISE}:employeeNumber`]: '42', displayName: 'Babs Jensen' },
      }]);
      assert.deepEqual(result.name, { formatted: 'Barbara Jensen', givenName: 'Babs', familyName: 'Jensen' });
      assert.deepEqual(result[ENTERPRISE], { employeeNumber: '42', department: 'Sales' });
      assert.equal(result.displayName, 'Babs Jensen');
      assert.equal('name.givenName' in result, false);
    });
  });
});

describe('applyPatch: Okta', () => {
  it('deactivates with a path-less replace of {active:false}', () => {
    const result = patch(user(), [{ op: 'replace', value: { active: false } }]);
    assert.equal(result.active, false);
    assert.equal(result.userName, 'bjensen@example.com');
  });

  it('merges a path-less replace of a complex attribute instead of dropping its other sub-attributes', () => {
    const result = patch(user(), [{ op: 'replace', value: { name: { givenName: 'Babs' } } }]);
    assert.deepEqual(result.name, { formatted: 'Barbara Jensen', givenName: 'Babs', familyName: 'Jensen' });
  });

  it('adds members, skipping ones already in the group', () => {
    const result = patch(group('a'), [{ op: 'add', path: 'members', value: [{ value: 'a' }, { value: 'b', display: 'Bob' }] }]);
    assert.deepEqual(memberIds(result), ['a', 'b']);
  });

  it('adds members to a group created with members: [] or none', () => {
    const empty = { ...group(), members: [] };
    assert.deepEqual(memberIds(patch(empty, [{ op: 'add', path: 'members', value: [{ value: 'a' }] }])), ['a']);
    const none = group();
    delete none.members;
    assert.deepEqual(memberIds(patch(none, [{ op: 'add', path: 'members', value: [{ value: 'a' }] }])), ['a']);
  });

  it('replaces the whole member list on a full push', () => {
    const result = patch(group('a', 'b'), [{ op: 'replace', path: 'members', value: [{ value: 'c' }, { value: 'b' }] }]);
    assert.deepEqual(memberIds(result), ['c', 'b']);
  });

  it('applies the rename that comes with a membership change', () => {
    const result = patch(group('a'), [
      { op: 'replace', value: { id: 'g-1', displayName: 'Sales Team' } },
      { op: 'remove', path: 'members[value eq "a"]' },
      { op: 'add', path: 'members', value: [{ value: 'b' }] },
    ]);
    assert.equal(result.displayName, 'Sales Team');
    assert.deepEqual(memberIds(result), ['b']);
  });
});
