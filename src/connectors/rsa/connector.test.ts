import { it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startRsaSimulator, type RsaSimulatorOptions, type RunningRsaSimulator } from '../../../simulators/rsa/index.ts';
import { Secret } from '../../config/secret.ts';
import type { Change } from '../../core/plan.ts';
import { isRosterError } from '../../errors.ts';
import type { HttpExchange } from '../http/client.ts';
import { RateBudget } from '../http/rate-budget.ts';
import { createRsaConnector, mobilePhoneOf, rsaPolicyProblems, rsaPreview, rsaRateRules, type RsaConnector } from './index.ts';

const SECRET = 'rsa-connector-test-secret';

async function setup(t: TestContext, options: RsaSimulatorOptions = {}, secret = SECRET): Promise<{ sim: RunningRsaSimulator; rsa: RsaConnector; sent: HttpExchange[] }> {
  const sim = await startRsaSimulator({ clientSecret: SECRET, ...options });
  const rsa = createRsaConnector({ appName: 'rsa', baseUrl: sim.baseUrl, clientSecret: new Secret(secret, 'test'), backoffBaseMs: 10 });
  const sent: HttpExchange[] = [];
  rsa.observe((e) => sent.push(e));
  t.after(async () => {
    await rsa.close();
    await sim.close();
  });
  return { sim, rsa, sent };
}

const user = (userName: string, extra: Record<string, unknown> = {}) => ({ userName, emails: [{ value: userName, type: 'work' }], active: true, ...extra });

it('creates a user as the console shows it: First/Last Name, Email Address (work), User Status, SMS/Voice mobile', async (t) => {
  const { sim, rsa, sent } = await setup(t);
  const created = await rsa.createAccount({ userName: 'jane@acme.example', email: 'jane.doe@acme.example', givenName: 'Jane', familyName: 'Doe', mobilePhone: '+44 7700 900123' });
  assert.equal(sent.length, 1, 'one POST: RSA answers 201 with the user');
  const stored = sim.scim.store.getUser(created.remoteId)?.attrs;
  assert.deepEqual(stored?.['name'], { givenName: 'Jane', familyName: 'Doe' });
  assert.deepEqual(stored?.['emails'], [{ value: 'jane.doe@acme.example', type: 'work', primary: true }]);
  assert.deepEqual(stored?.['phoneNumbers'], [{ value: '+44 7700 900123', type: 'mobile' }]);
  assert.equal(stored?.['active'], true);
  assert.equal(created.email, 'jane.doe@acme.example');
  assert.equal(mobilePhoneOf(created), '+44 7700 900123');
  // With no email given, an email-shaped userName is the work email RSA requires.
  const bare = await rsa.createAccount({ userName: 'sam@acme.example' });
  assert.equal(bare.email, 'sam@acme.example');
});

it('refuses what RSA cannot hold before sending anything: no work email, department, title, groups', async (t) => {
  const { rsa, sent } = await setup(t);
  await assert.rejects(rsa.createAccount({ userName: 'svc-account' }), (e) => isRosterError(e, 'input_invalid') && /needs a work email/.test(e.message));
  await assert.rejects(rsa.createAccount({ userName: 'd@acme.example', department: 'IT' }), (e) => isRosterError(e, 'unsupported') && /holds no department/.test(e.message));
  await assert.rejects(rsa.updateAccount('x', { title: 'CTO' }), (e) => isRosterError(e, 'unsupported') && /holds no title/.test(e.message));
  await assert.rejects(rsa.updateAccount('x', { email: '' }), (e) => isRosterError(e, 'input_invalid'));
  await assert.rejects(rsa.addToGroup(), (e) => isRosterError(e, 'unsupported') && /groups/.test(e.message));
  await assert.rejects(rsa.isMember(), (e) => isRosterError(e, 'unsupported'));
  assert.equal(sent.length, 0);
  assert.equal(rsa.capabilities.groups, false);
});

it('looks people up with userName eq and emails eq, the only searches RSA answers', async (t) => {
  const { sim, rsa } = await setup(t);
  sim.seedUsers([user('ann@acme.example'), user('bob@acme.example', { emails: [{ value: 'robert@acme.example', type: 'work' }] })]);
  assert.equal((await rsa.findAccount({ userName: 'ANN@acme.example' }))?.userName, 'ann@acme.example');
  assert.equal((await rsa.findAccount({ email: 'robert@acme.example' }))?.userName, 'bob@acme.example');
  assert.equal(await rsa.findAccount({ email: 'nobody@acme.example' }), undefined);
  const filters = sim.scim.requests.entries.map((r) => new URLSearchParams(r.query).get('filter'));
  assert.deepEqual(filters, ['userName eq "ANN@acme.example"', 'emails eq "robert@acme.example"', 'emails eq "nobody@acme.example"']);
});

it('a leaver is deactivated with one PATCH active=false (lowercase op, 200 with the user), keeping the rest', async (t) => {
  const { sim, rsa, sent } = await setup(t);
  const [id = ''] = sim.seedUsers([user('leaver@acme.example', { name: { givenName: 'Lee', familyName: 'Ver' }, phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }] })]);
  const result = await rsa.offboard(id);
  assert.equal(result.action, 'deactivated');
  assert.equal(result.account.active, false);
  assert.deepEqual(sent.map((e) => `${e.method} ${e.status}`), ['PATCH 200']);
  const stored = sim.scim.store.getUser(id)?.attrs;
  assert.equal(stored?.['active'], false);
  assert.deepEqual(stored?.['name'], { givenName: 'Lee', familyName: 'Ver' });
  assert.deepEqual(stored?.['phoneNumbers'], [{ value: '+1 555 0100', type: 'mobile' }]);
});

it('updates names, work email and mobile by PATCH, never touching the rest', async (t) => {
  const { sim, rsa } = await setup(t);
  const [id = ''] = sim.seedUsers([user('mover@acme.example', { name: { givenName: 'Mo', familyName: 'Ver' } })]);
  const updated = await rsa.updateAccount(id, { familyName: 'Vers', email: 'mo.vers@acme.example', mobilePhone: '+1 555 0199' });
  assert.equal(updated.familyName, 'Vers');
  assert.equal(updated.givenName, 'Mo');
  assert.equal(updated.email, 'mo.vers@acme.example');
  assert.equal(mobilePhoneOf(updated), '+1 555 0199');
  assert.equal(sim.scim.store.getUser(id)?.attrs['userName'], 'mover@acme.example');
});

it("deleting a Local identity source's user is a clear, unretried error naming the cause", async (t) => {
  const { sim, rsa, sent } = await setup(t);
  const [local = ''] = sim.seedUsers([user('local@acme.example')], 'Local');
  const [managed = ''] = sim.seedUsers([user('managed@acme.example')]);
  await assert.rejects(rsa.deleteAccount(local), (e) => isRosterError(e, 'unsupported') && /Local identity source/.test(e.message) && e.facts['localIdentitySource'] === true && !e.message.includes('\n'));
  assert.equal(sent.filter((e) => e.method === 'DELETE').length, 1, 'not retried');
  assert.ok(sim.scim.store.getUser(local));
  await rsa.deleteAccount(managed);
  assert.equal(sim.scim.store.getUser(managed), undefined);
});

it('a client secret not yet published is auth_failed, and the message says to publish it (never the secret)', async (t) => {
  const { sim } = await setup(t);
  const fresh = sim.generateSecret();
  const rsa = createRsaConnector({ appName: 'rsa', baseUrl: sim.baseUrl, clientSecret: new Secret(fresh, 'test') });
  t.after(() => rsa.close());
  await assert.rejects(rsa.findAccount({ userName: 'a@acme.example' }), (e) => isRosterError(e, 'auth_failed') && /Publish Changes/.test(e.message) && !e.message.includes(fresh));
  sim.publishChanges();
  assert.equal(await rsa.findAccount({ userName: 'a@acme.example' }), undefined);
});

it('waits out a 429 for the "2 seconds" its Retry-After says, and loses nothing', async (t) => {
  const { sim, rsa, sent } = await setup(t, { rateLimit: { requests: 1, perMs: 2000 } });
  sim.seedUsers([user('a@acme.example'), user('b@acme.example')]);
  await rsa.findAccount({ userName: 'a@acme.example' });
  const started = performance.now();
  const found = await rsa.findAccount({ userName: 'b@acme.example' });
  const took = performance.now() - started;
  assert.equal(found?.userName, 'b@acme.example');
  const refused = sent.find((e) => e.status === 429);
  assert.equal(refused?.waitMs, 2000);
  assert.ok(took >= 1900, `waited ${Math.round(took)} ms`);
});

it('lists every user 100 a page, with no discovery read', async (t) => {
  const { sim, rsa } = await setup(t);
  sim.seedUsers(Array.from({ length: 230 }, (_, i) => user(`u${i}@acme.example`)));
  let pages = 0;
  let count = 0;
  for await (const page of rsa.listAccounts()) {
    pages += 1;
    count += page.accounts.length;
  }
  assert.equal(count, 230);
  assert.equal(pages, 3);
  assert.equal(sim.scim.requests.entries.length, 3);
});

it('refuses a policy that asks RSA for groups or roles, saying why', () => {
  assert.deepEqual(rsaPolicyProblems({ groups: {}, roles: [] }), []);
  const problems = rsaPolicyProblems({ groups: { Admins: 'IdP Admins' }, roles: [], defaultRole: 'admin' }, 'apps.rsa.policy');
  assert.equal(problems.length, 2);
  assert.match(problems[0] ?? '', /^apps\.rsa\.policy\.groups: RSA ID Plus cannot manage groups over SCIM .*"Admins"/);
  assert.match(problems[1] ?? '', /^apps\.rsa\.policy\.roles: /);
});

it('previews the exact requests a change makes', () => {
  const change = (kind: Change['kind'], extra: Partial<Change> = {}): Change => ({ id: 'x', app: 'rsa', kind, subject: 'jane@acme.example', reason: 'r', risk: 'low', approval: [], requests: [], ...extra });
  const create = rsaPreview(change('create', { attributes: { userName: 'jane@acme.example', email: 'jane@acme.example', givenName: 'Jane' } }));
  assert.deepEqual(create[0], { method: 'POST', path: '/Users', body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'jane@acme.example', emails: [{ value: 'jane@acme.example', type: 'work', primary: true }], active: true, name: { givenName: 'Jane' } } });
  assert.deepEqual(rsaPreview(change('deactivate', { remoteId: '42' })).map((r) => `${r.method} ${r.path}`), ['PATCH /Users/42']);
  assert.deepEqual((rsaPreview(change('update', { remoteId: '42', attributes: { familyName: 'Doe' } }))[0]?.body as { Operations: unknown[] }).Operations, [{ op: 'replace', path: 'name.familyName', value: 'Doe' }]);
  assert.deepEqual(rsaPreview(change('delete', { remoteId: '42' })).map((r) => r.method), ['DELETE']);
  assert.deepEqual(rsaPreview(change('add-member', { remoteId: '42', group: 'g' })), []);
});

it('paces evenly under a configured tenant limit, so RSA never has to say "2 seconds"', async (t) => {
  const { sim } = await setup(t, { rateLimit: { requests: 10, perMs: 1000 } });
  assert.deepEqual(rsaRateRules(), [], 'RSA publishes no limit: none unless configured');
  assert.throws(() => rsaRateRules({ requests: 0, perSeconds: 1 }), RangeError);
  const rsa = createRsaConnector({ appName: 'rsa', baseUrl: sim.baseUrl, clientSecret: new Secret(SECRET, 'test'), budget: new RateBudget({ rules: rsaRateRules({ requests: 10, perSeconds: 1 }) }) });
  t.after(() => rsa.close());
  const ids = sim.seedUsers(Array.from({ length: 25 }, (_, i) => user(`p${i}@acme.example`)));
  const read = await Promise.all(ids.map((id) => rsa.getAccount(id)));
  assert.equal(read.filter(Boolean).length, 25);
  assert.equal(sim.scim.requests.entries.filter((r) => r.status === 429).length, 0);
});
