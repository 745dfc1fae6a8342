import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from './errors.ts';
import { filterAttributes, filterOperators, matchesFilter, parseFilter, type Filter } from './filter.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A compact rendering of the AST, so precedence is visible at a glance. */
function show(filter: Filter): string {
  const path = (p: { schema?: string; attribute: string; subAttribute?: string }) =>
    `${p.schema ? `${p.schema}:` : ''}${p.attribute}${p.subAttribute ? `.${p.subAttribute}` : ''}`;
  switch (filter.kind) {
    case 'compare': return `${path(filter.path)} ${filter.op} ${JSON.stringify(filter.value)}`;
    case 'present': return `${path(filter.path)} pr`;
    case 'and': case 'or': return `(${show(filter.left)} ${filter.kind} ${show(filter.right)})`;
    case 'not': return `not(${show(filter.filter)})`;
    case 'valuePath': return `${path(filter.path)}[${show(filter.filter)}]${filter.subFilter ? `.${show(filter.subFilter)}` : ''}`;
  }
}

function rejects(text: string, detail: RegExp): void {
  assert.throws(() => parseFilter(text), (error: unknown) => {
    assert.ok(error instanceof ScimError, 'a ScimError');
    assert.equal(error.status, 400);
    assert.equal(error.scimType, 'invalidFilter');
    assert.match(error.detail, detail);
    return true;
  });
}

describe('parseFilter', () => {
  it('parses every comparison operator', () => {
    for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']) {
      assert.equal(show(parseFilter(`userName ${op} "bjensen"`)), `userName ${op} "bjensen"`);
    }
    assert.equal(show(parseFilter('title pr')), 'title pr');
  });

  it('reads string, number, boolean and null literals', () => {
    assert.deepEqual(parseFilter('a eq "x\\"y\\\\z\\u00e9\\n"'), { kind: 'compare', path: { attribute: 'a' }, op: 'eq', value: 'x"y\\zé\n' });
    assert.equal(show(parseFilter('a gt -1.5e3')), 'a gt -1500');
    assert.equal(show(parseFilter('a eq 0')), 'a eq 0');
    assert.equal(show(parseFilter('active eq TRUE')), 'active eq true');
    assert.equal(show(parseFilter('active eq False')), 'active eq false');
    assert.equal(show(parseFilter('title eq NULL')), 'title eq null');
    assert.equal(show(parseFilter('displayName eq ""')), 'displayName eq ""');
  });

  it('reads sub-attributes and schema-qualified paths', () => {
    assert.equal(show(parseFilter('name.givenName sw "B"')), 'name.givenName sw "B"');
    const qualified = parseFilter(`${ENTERPRISE}:employeeNumber eq "701984"`);
    assert.deepEqual(qualified, { kind: 'compare', path: { schema: ENTERPRISE, attribute: 'employeeNumber' }, op: 'eq', value: '701984' });
    assert.deepEqual(parseFilter(`${ENTERPRISE}:manager.value eq "26118915"`), {
      kind: 'compare', path: { schema: ENTERPRISE, attribute: 'manager', subAttribute: 'value' }, op: 'eq', value: '26118915',
    });
    assert.equal(show(parseFilter('members.$ref pr')), 'members.$ref pr');
  });

  it('gives attribute operators precedence over and, and and over or (erratum 4670)', () => {
    assert.equal(show(parseFilter('a eq 1 or b eq 2 and c eq 3')), '(a eq 1 or (b eq 2 and c eq 3))');
    assert.equal(show(parseFilter('a eq 1 and b eq 2 or c eq 3')), '((a eq 1 and b eq 2) or c eq 3)');
    assert.equal(show(parseFilter('a pr and b pr and c pr')), '((a pr and b pr) and c pr)');
  });

  it('binds not tighter than and', () => {
    assert.equal(show(parseFilter('not (x pr) and y pr')), '(not(x pr) and y pr)');
    assert.equal(show(parseFilter('y pr or not (x pr or z pr)')), '(y pr or not((x pr or z pr)))');
  });

  it('lets parentheses override precedence', () => {
    assert.equal(show(parseFilter('(a eq 1 or b eq 2) and c eq 3')), '((a eq 1 or b eq 2) and c eq 3)');
    assert.equal(show(parseFilter('((a pr))')), 'a pr');
  });

  it('treats operators, logical words and literals case-insensitively and keeps attribute spelling', () => {
    assert.equal(show(parseFilter('UserName EQ "x" AND Title PR OR NOT (a Ne TrUe)')), '((UserName eq "x" and Title pr) or not(a ne true))');
  });

  it('parses value paths, with and without a sub-attribute test', () => {
    assert.equal(show(parseFilter('emails[type eq "work" and primary eq true]')), 'emails[(type eq "work" and primary eq true)]');
    assert.equal(show(parseFilter('members[value eq "x"]')), 'members[value eq "x"]');
    assert.equal(show(parseFilter('emails[type eq "work"].value eq "a@b.com"')), 'emails[type eq "work"].value eq "a@b.com"');
    assert.equal(show(parseFilter('emails[not (type eq "home")] and userName sw "a"')), '(emails[not(type eq "home")] and userName sw "a")');
  });

  it('parses the filters Entra and Okta send', () => {
    assert.equal(show(parseFilter('userName eq "a@b.com"')), 'userName eq "a@b.com"');
    assert.equal(show(parseFilter('externalId eq "5f1c"')), 'externalId eq "5f1c"');
    assert.equal(show(parseFilter('id eq "u1" and manager eq "m1"')), '(id eq "u1" and manager eq "m1")');
    assert.equal(show(parseFilter('displayName eq "Sales"')), 'displayName eq "Sales"');
  });

  describe('errors', () => {
    it('rejects an empty filter', () => {
      rejects('', /empty/);
      rejects('   ', /empty/);
    });
    it('rejects a string no stored value can hold: U+0000 or a lone surrogate', () => {
      rejects('userName eq "a\\u0000"', /position 13: .*U\+0000/);
      rejects('title gt "\\ud800"', /lone surrogate/);
    });
    it('rejects an unknown operator, naming it and the known ones', () => {
      rejects('userName equals "x"', /position 10: unknown operator "equals".*eq, ne, co, sw, ew, pr, gt, ge, lt, le/);
    });
    it('rejects a missing operator or value', () => {
      rejects('userName', /position 9: expected an operator .* found the end of the filter/);
      rejects('userName eq', /position 12: expected a value/);
      rejects('userName eq and', /expected a value .* found "and"/);
      rejects('userName eq bjensen', /position 13: expected a value/);
    });
    it('rejects trailing garbage', () => {
      rejects('userName eq "x" foo', /position 17: expected "and", "or" or the end/);
      rejects('userName eq "x")', /position 16: .*"\)" with no matching "\("/);
      rejects('a pr and', /expected an attribute name/);
    });
    it('rejects unterminated strings and bad escapes', () => {
      rejects('userName eq "bjensen', /position 13: unterminated string/);
      rejects('userName eq "a\\qb"', /invalid string/);
      rejects("userName eq 'x'", /double quotes/);
    });
    it('rejects malformed numbers', () => {
      rejects('a eq 01', /"01" is not a number/);
      rejects('a eq 1abc', /"1abc" is not a number/);
      rejects('a eq -', /"-" is not a number/);
    });
    it('rejects unbalanced grouping', () => {
      rejects('(a pr', /expected "\)" to close the "\(" at position 1, found the end/);
      rejects('emails[type eq "work"', /expected "]" to close the "\[" at position 7/);
      rejects('()', /expected an attribute name/);
      rejects('emails[]', /empty/);
    });
    it('requires parentheses after not', () => {
      rejects('not a pr', /expected "\(" after "not"/);
    });
    it('rejects nested value filters and sub-attributes inside them', () => {
      rejects('a[b[c pr]]', /cannot be nested/);
      rejects('emails[type.x eq "a"]', /sub-attribute name inside/);
      rejects('name.givenName[x pr]', /goes on the multi-valued attribute/);
      rejects('emails[type eq "work"].value', /expected an operator/);
    });
    it('rejects operands an operator cannot take', () => {
      rejects('active gt true', /"gt" needs a string or a number/);
      rejects('a co 1', /"co" needs a string/);
      rejects('a sw null', /"sw" needs a string/);
    });
    it('rejects bad attribute paths', () => {
      rejects('a.b.c pr', /more than one sub-attribute/);
      rejects('foo:bar pr', /only a schema URN prefix/);
      rejects('urn:x pr', /not a schema URN/);
      rejects('a. pr', /expected a sub-attribute name after "a\."/);
      rejects('a eq "x" # b', /unexpected character "#"/);
    });
  });
});

describe('filterOperators', () => {
  it('lists the lower-case operators used, including logical ones', () => {
    assert.deepEqual(filterOperators(parseFilter('userName EQ "a"')), new Set(['eq']));
    assert.deepEqual(filterOperators(parseFilter('id eq "u" AND manager eq "m"')), new Set(['eq', 'and']));
    assert.deepEqual(
      filterOperators(parseFilter('a co "x" or not (b pr) and emails[type sw "w"].value gt "m"')),
      new Set(['or', 'co', 'and', 'not', 'pr', 'sw', 'gt']),
    );
  });
});

describe('filterAttributes', () => {
  it('lists the paths used, lower-cased and dotted, value paths expanded', () => {
    assert.deepEqual(filterAttributes(parseFilter('UserName eq "a"')), ['username']);
    assert.deepEqual(filterAttributes(parseFilter('emails[type eq "work"].value eq "x"')), ['emails.type', 'emails.value']);
    assert.deepEqual(filterAttributes(parseFilter('members[value eq "x"] or name.givenName pr or userName pr')), ['members.value', 'name.givenname', 'username']);
  });
  it('keeps an extension URN and drops a core one', () => {
    assert.deepEqual(filterAttributes(parseFilter(`${ENTERPRISE}:employeeNumber eq "1"`)), [`${ENTERPRISE.toLowerCase()}:employeenumber`]);
    assert.deepEqual(filterAttributes(parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"')), ['username']);
  });
});

describe('matchesFilter', () => {
  const user = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    id: 'AbC-1',
    externalId: 'Ext-9',
    userName: 'Bjensen@Example.com',
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    title: '',
    active: true,
    emails: [
      { type: 'work', value: 'bjensen@example.com', primary: true },
      { type: 'home', value: 'babs@jensen.org' },
    ],
    roles: [],
    loginCount: 12,
    meta: { created: '2024-03-01T10:00:00Z', lastModified: '2024-05-01T12:30:00.000Z', version: 'W/"a1"' },
    [ENTERPRISE]: { employeeNumber: '701984', manager: { value: 'mgr-7', $ref: null } },
  };
  const matches = (text: string) => matchesFilter(user, parseFilter(text));

  it('compares strings case-insensitively, with attribute names case-insensitive too', () => {
    assert.equal(matches('userName eq "bjensen@example.com"'), true);
    assert.equal(matches('USERNAME eq "BJENSEN@EXAMPLE.COM"'), true);
    assert.equal(matches('userName eq "someone@example.com"'), false);
    assert.equal(matches('name.givenName sw "bar"'), true);
    assert.equal(matches('name.familyName ew "SEN"'), true);
    assert.equal(matches('name.familyName co "nse"'), true);
    assert.equal(matches('name.familyName co "xyz"'), false);
  });

  it('folds and orders non-ASCII text as the SQL a filter becomes does', () => {
    // "İ".toLowerCase() is "i̇" (two code points); SQL lower() gives "i".
    assert.equal(matchesFilter({ displayName: 'İpek' }, parseFilter('displayName eq "ipek"')), true);
    assert.equal(matchesFilter({ displayName: 'İpek' }, parseFilter('displayName gt "ipek"')), false);
    // U+FF21 sorts before U+1F600 by code point (collate "C"), though after it by UTF-16 unit.
    assert.equal(matchesFilter({ displayName: '\uFF21' }, parseFilter('displayName lt "\u{1F600}"')), true);
    assert.equal(matchesFilter({ displayName: '\u{1F600}' }, parseFilter('displayName gt "\uFF21"')), true);
  });

  it('treats id, externalId and meta as case-exact', () => {
    assert.equal(matches('id eq "AbC-1"'), true);
    assert.equal(matches('id eq "abc-1"'), false);
    assert.equal(matches('externalId eq "ext-9"'), false);
    assert.equal(matches('meta.version eq "w/\\"A1\\""'), false);
    assert.equal(matches('meta.version eq "W/\\"a1\\""'), true);
  });

  it('lets the caller decide case-exactness', () => {
    const exactUserName = { caseExact: (path: string) => path === 'username' };
    assert.equal(matchesFilter(user, parseFilter('userName eq "bjensen@example.com"'), exactUserName), false);
    assert.equal(matchesFilter(user, parseFilter('id eq "abc-1"'), exactUserName), true);
  });

  it('matches a multi-valued attribute when any element matches', () => {
    assert.equal(matches('emails.value eq "babs@jensen.org"'), true);
    assert.equal(matches('emails.value eq "nobody@x.org"'), false);
    assert.equal(matches('emails co "jensen.org"'), true, 'without a sub-attribute, an element compares by value');
  });

  it('evaluates value paths on the same element', () => {
    assert.equal(matches('emails[type eq "work" and value co "example.com"]'), true);
    assert.equal(matches('emails[type eq "home" and value co "example.com"]'), false, 'both tests must hold on one element');
    assert.equal(matches('emails[type eq "work"].value eq "bjensen@example.com"'), true);
    assert.equal(matches('emails[type eq "work"].value eq "babs@jensen.org"'), false);
    assert.equal(matches('emails[type eq "WORK" and primary eq true]'), true);
    assert.equal(matches('addresses[type eq "work"]'), false);
  });

  it('resolves URN-qualified paths into the extension and core URNs to the top level', () => {
    assert.equal(matches(`${ENTERPRISE}:employeeNumber eq "701984"`), true);
    assert.equal(matches(`${ENTERPRISE.toUpperCase()}:EMPLOYEENUMBER eq "701984"`), true);
    assert.equal(matches(`${ENTERPRISE}:manager.value eq "mgr-7"`), true);
    assert.equal(matches('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen@example.com"'), true);
    assert.equal(matches('urn:ietf:params:scim:schemas:core:2.0:User:employeeNumber pr'), false, 'the core schema does not reach into extensions');
  });

  it("answers Entra's unqualified manager check from the enterprise extension", () => {
    assert.equal(matches('id eq "AbC-1" and manager eq "mgr-7"'), true);
    assert.equal(matches('id eq "AbC-1" and manager eq "mgr-8"'), false);
  });

  it('treats null, empty strings, empty arrays and missing attributes as not present', () => {
    assert.equal(matches('userName pr'), true);
    assert.equal(matches('title pr'), false);
    assert.equal(matches('roles pr'), false);
    assert.equal(matches('nickName pr'), false);
    assert.equal(matches(`${ENTERPRISE}:manager.$ref pr`), false);
    assert.equal(matches('title eq null'), true);
    assert.equal(matches('userName eq null'), false);
    assert.equal(matches('userName ne null'), true);
  });

  it('treats ne as "no value equals", so a missing attribute is ne anything', () => {
    assert.equal(matches('userName ne "bjensen@example.com"'), false);
    assert.equal(matches('nickName ne "x"'), true);
    assert.equal(matches('emails.type ne "home"'), false);
  });

  it('orders numbers numerically, strings lexicographically and date-times by time', () => {
    assert.equal(matches('loginCount gt 9'), true, '12 > 9 numerically, not as text');
    assert.equal(matches('loginCount le 12'), true);
    assert.equal(matches('loginCount lt 12'), false);
    assert.equal(matches('name.familyName gt "j"'), true);
    assert.equal(matches('name.familyName lt "JENSEN"'), false);
    assert.equal(matches('meta.lastModified gt "2024-05-01T12:00:00Z"'), true);
    assert.equal(matches('meta.lastModified ge "2024-05-01T14:30:00+02:00"'), true, 'same instant in another zone');
    assert.equal(matches('meta.lastModified lt "2024-05-01T14:30:00+02:00"'), false);
    assert.equal(matches('meta.created eq "2024-03-01T10:00:00.000Z"'), true);
  });

  it('compares booleans, including ones stored as "True"', () => {
    assert.equal(matches('active eq true'), true);
    assert.equal(matches('active eq false'), false);
    assert.equal(matchesFilter({ active: 'True' }, parseFilter('active eq true')), true);
  });

  it('combines with and, or, not', () => {
    assert.equal(matches('userName sw "x" or title pr or active eq true'), true);
    assert.equal(matches('active eq true and not (emails[type eq "work"])'), false);
    assert.equal(matches('not (nickName pr) and userName pr'), true);
  });
});
