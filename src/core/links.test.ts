import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RemoteAccount } from './account.ts';
import { diffLinks, linkAccounts, type Link } from './links.ts';
import type { Person } from './person.ts';

const person = (id: string, userName: string, extra: Partial<Person> = {}): Person => ({ id, userName, emails: [userName], email: userName, active: true, groups: [], ...extra });
const account = (remoteId: string, extra: Partial<RemoteAccount> = {}): RemoteAccount => ({ remoteId, active: true, groups: [], raw: {}, ...extra });

describe('linkAccounts', () => {
  const people = [
    person('p1', 'jane@acme.com', { externalId: 'ext-jane' }),
    person('p2', 'bob@acme.com', { emails: ['bob@acme.com', 'robert@acme.com'] }),
    person('p3', 'ann@acme.com'),
  ];

  it('matches by externalId, then email (any of the person’s), then userName, keeping the reason', () => {
    const { links, unlinked } = linkAccounts('app', people, [
      account('1', { externalId: 'ext-jane', email: 'someone-else@acme.com' }),
      account('2', { email: 'Robert@ACME.com' }),
      account('3', { userName: 'ANN@acme.com' }),
      account('4', { email: 'contractor@other.com', userName: 'contractor' }),
    ], []);
    assert.deepEqual(
      links.map((l) => [l.remoteId, l.personId, l.rule]),
      [['1', 'p1', 'externalId'], ['2', 'p2', 'email'], ['3', 'p3', 'userName']],
    );
    assert.equal(links[1]?.reason, 'email Robert@ACME.com matches bob@acme.com');
    assert.equal(unlinked.length, 1);
    assert.equal(unlinked[0]?.account.remoteId, '4');
    assert.match(unlinked[0]?.reason ?? '', /no person matches/);
  });

  it('gives a person one account per app and flags the duplicate', () => {
    const { links, unlinked } = linkAccounts('app', people, [account('b', { email: 'jane@acme.com' }), account('a', { userName: 'jane@acme.com' })], []);
    assert.deepEqual(links.map((l) => l.remoteId), ['a']);
    assert.match(unlinked[0]?.reason ?? '', /duplicate: jane@acme.com is already linked to account a/);
  });

  it('keeps manual links over rules, and drops them when the account is gone', () => {
    const manual: Link = { appName: 'app', remoteId: 'x', personId: 'p3', rule: 'manual', reason: 'linked by alice: shared mailbox' };
    const kept = linkAccounts('app', people, [account('x', { email: 'jane@acme.com' })], [manual]);
    assert.deepEqual(kept.links, [manual]);
    const gone = linkAccounts('app', people, [account('y', { email: 'jane@acme.com' })], [manual]);
    assert.deepEqual(gone.links.map((l) => [l.remoteId, l.personId, l.rule]), [['y', 'p1', 'email']]);
  });

  it('refuses to guess when an email belongs to two people', () => {
    const twins = [person('a', 'a@x.com', { emails: ['a@x.com', 'team@x.com'] }), person('b', 'b@x.com', { emails: ['b@x.com', 'team@x.com'] })];
    const { links, unlinked } = linkAccounts('app', twins, [account('1', { email: 'team@x.com' })], []);
    assert.equal(links.length, 0);
    assert.match(unlinked[0]?.reason ?? '', /ambiguous: email team@x.com matches 2 people/);
  });
});

describe('diffLinks', () => {
  const link = (remoteId: string, personId: string, rule: Link['rule'] = 'email', reason = `matches ${personId}`): Link => ({ appName: 'app', remoteId, personId, rule, reason });

  it('a repeat of the same links writes nothing; a moved, changed, gone or new link is exactly what is written', () => {
    const before = [link('a', 'p1'), link('b', 'p2'), link('c', 'p3'), link('d', 'p4')];
    assert.deepEqual(diffLinks(before, [...before].reverse()), { removed: [], added: [] });
    const after = [link('a', 'p1'), link('b', 'p5'), link('c', 'p3', 'externalId'), link('e', 'p4')];
    assert.deepEqual(diffLinks(before, after), { removed: ['b', 'c', 'd'], added: [link('b', 'p5'), link('c', 'p3', 'externalId'), link('e', 'p4')] });
  });

  it('dropping what it says and adding what it says always gives the new links (500 generated pairs)', () => {
    let seed = 7;
    const next = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), (seed >>> 16) % n);
    const rules: Link['rule'][] = ['email', 'userName', 'created'];
    const some = () => ['a', 'b', 'c', 'd', 'e'].filter(() => next(2) === 1).map((id) => link(id, `p${next(3)}`, rules[next(3)]));
    const key = (l: Link) => JSON.stringify([l.remoteId, l.personId, l.rule, l.reason]);
    for (let n = 0; n < 500; n += 1) {
      const before = some();
      const after = some();
      const { removed, added } = diffLinks(before, after);
      const result = [...before.filter((l) => !removed.includes(l.remoteId)), ...added];
      assert.deepEqual(result.map(key).sort(), after.map(key).sort(), `${before.map(key).join()} → ${after.map(key).join()}`);
    }
  });
});
