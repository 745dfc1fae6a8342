import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from './errors.ts';
import { parsePath } from './path.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function rejects(text: string, detail: RegExp): void {
  assert.throws(() => parsePath(text), (error: unknown) => {
    assert.ok(error instanceof ScimError, 'a ScimError');
    assert.equal(error.status, 400);
    assert.equal(error.scimType, 'invalidPath');
    assert.match(error.detail, detail);
    return true;
  });
}

describe('parsePath', () => {
  it('parses plain attributes and sub-attributes, keeping their spelling', () => {
    assert.deepEqual(parsePath('active'), { attribute: 'active' });
    assert.deepEqual(parsePath('name.givenName'), { attribute: 'name', subAttribute: 'givenName' });
    assert.deepEqual(parsePath('  DisplayName '), { attribute: 'DisplayName' });
  });

  it('parses URN-qualified extension paths', () => {
    assert.deepEqual(parsePath(`${ENTERPRISE}:manager`), { schema: ENTERPRISE, attribute: 'manager' });
    assert.deepEqual(parsePath(`${ENTERPRISE}:manager.value`), { schema: ENTERPRISE, attribute: 'manager', subAttribute: 'value' });
    assert.deepEqual(parsePath('urn:ietf:params:scim:schemas:core:2.0:User:name.familyName'), {
      schema: 'urn:ietf:params:scim:schemas:core:2.0:User', attribute: 'name', subAttribute: 'familyName',
    });
  });

  it('parses value-filter paths with and without a trailing sub-attribute', () => {
    assert.deepEqual(parsePath('members[value eq "2819c223"]'), {
      attribute: 'members',
      filter: { kind: 'compare', path: { attribute: 'value' }, op: 'eq', value: '2819c223' },
    });
    assert.deepEqual(parsePath('emails[type eq "work"].value'), {
      attribute: 'emails',
      subAttribute: 'value',
      filter: { kind: 'compare', path: { attribute: 'type' }, op: 'eq', value: 'work' },
    });
    const both = parsePath('emails[type EQ "work" AND primary eq TRUE].display');
    assert.equal(both.filter?.kind, 'and');
    assert.equal(both.subAttribute, 'display');
  });

  describe('errors', () => {
    it('rejects an empty path', () => rejects('', /empty/));
    it('rejects a path that does not start with an attribute', () => {
      rejects('[type eq "work"]', /position 1: expected an attribute name/);
      rejects('"emails"', /expected an attribute name/);
    });
    it('rejects unclosed or empty filters', () => {
      rejects('emails[type eq "work"', /expected "]" to close the "\[" at position 7/);
      rejects('emails[', /expected a sub-attribute name/);
      rejects('emails[]', /empty/);
    });
    it('rejects filter syntax errors as invalidPath', () => {
      rejects('emails[type equals "work"]', /unknown operator "equals"/);
      rejects('members[value eq "x]', /unterminated string/);
    });
    it('rejects anything after the path', () => {
      rejects('emails[type eq "work"]value', /position 23: expected the end of the path, found "value"/);
      rejects('userName extra', /expected the end of the path/);
      rejects('emails[type eq "work"].value.x', /sub-attribute name after "]"/);
    });
    it('rejects malformed attribute paths', () => {
      rejects('a.b.c', /more than one sub-attribute/);
      rejects('name.', /sub-attribute name after "name\."/);
      rejects('emails[type eq "work"].', /sub-attribute name after "]"/);
      rejects('name.givenName[x pr]', /multi-valued attribute/);
      rejects(`${ENTERPRISE}:`, /expected an attribute name after the schema URN/);
      rejects('x:y', /only a schema URN prefix/);
    });
  });
});
