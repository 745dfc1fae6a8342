import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilter } from './filter.ts';
import { filterToSql, sortExpression } from './filter-sql.ts';
import { groupResourceType, userResourceType } from './resource-schemas.ts';
import { splitAttributePath } from './attribute-path.ts';

describe('SCIM filter → SQL', () => {
  it('puts every value in a parameter, never in the SQL text', () => {
    const params: unknown[] = [];
    const evil = `x'); drop table people; --`;
    const sql = filterToSql(parseFilter(`title eq "${evil}" or emails[value co "${evil}"] or nickName gt "${evil}"`), { type: userResourceType, doc: 'd', params });
    assert.ok(!sql.includes('drop table'), sql);
    assert.deepEqual(params, [evil, evil, evil, evil]);
  });

  it('answers equality on an indexed attribute from its column, in a form the index serves', () => {
    const params: unknown[] = [];
    const sql = filterToSql(parseFilter('userName eq "Jane@Example.com" and not (externalId eq "e1")'), { type: userResourceType, doc: 'd', params, indexed: { username: { column: 'p.user_name', lower: true }, externalid: { column: 'p.external_id', lower: false } } });
    assert.equal(sql, '((p.user_name is not null and lower(p.user_name) = lower($1::text)) and (not (p.external_id is not null and p.external_id = $2::text)))');
    assert.deepEqual(params, ['Jane@Example.com', 'e1']);
  });

  it('refuses attributes the resource type does not have, naming them', () => {
    assert.throws(() => filterToSql(parseFilter('members.value eq "x"'), { type: userResourceType, doc: 'd', params: [] }), /a User has no attribute "members.value"/);
    assert.throws(() => filterToSql(parseFilter('emails[shoe eq "x"]'), { type: userResourceType, doc: 'd', params: [] }), /no attribute "emails.shoe"/);
    assert.throws(() => filterToSql(parseFilter('userName[value eq "x"]'), { type: userResourceType, doc: 'd', params: [] }), /not a complex attribute/);
    assert.doesNotThrow(() => filterToSql(parseFilter('members[value eq "x"] and displayName sw "E"'), { type: groupResourceType, doc: 'd', params: [] }));
  });

  it('sorts multi-valued attributes by their primary value, case-insensitively unless case-exact', () => {
    const path = splitAttributePath('emails');
    assert.ok(typeof path !== 'string');
    assert.match(sortExpression('emails', userResourceType, 'd', path), /primary.*lower|lower.*primary/s);
    const id = splitAttributePath('externalId');
    assert.ok(typeof id !== 'string');
    assert.doesNotMatch(sortExpression('externalId', userResourceType, 'd', id), /lower/);
  });

  it('refuses a filter nested deeper than 32 levels, without a stack overflow', () => {
    assert.throws(() => parseFilter(`${'not ('.repeat(40)}title pr${')'.repeat(40)}`), /nested deeper than 32 levels/);
    assert.doesNotThrow(() => parseFilter(`${'('.repeat(30)}title pr${')'.repeat(30)}`));
  });
});
