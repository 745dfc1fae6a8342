import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RemoteAccount } from './account.ts';
import { linkAccounts } from './links.ts';
import type { Person } from './person.ts';
import type { Capabilities } from './capabilities.ts';
import { planChanges, type AppPlanInput } from './planner.ts';
import { defaultPolicy, type AppPolicy } from './policy.ts';
import { generateOrganisation } from './sample-org.ts';

const full: Capabilities = { attributes: ['displayName', 'email', 'department', 'title'], roles: true, groups: true, createAccount: true, updateAccount: true, deactivate: true, deleteAccount: true, bulkDelete: false, stagesWrites: false };
const person = (id: string, extra: Partial<Person> = {}): Person => ({ id, userName: `${id}@acme.com`, email: `${id}@acme.com`, emails: [`${id}@acme.com`], displayName: id, active: true, department: 'Sales', groups: ['all-staff'], ...extra });
const account = (remoteId: string, p: Person, extra: Partial<RemoteAccount> = {}): RemoteAccount => ({ remoteId, userName: p.userName, email: p.email, displayName: p.displayName, department: p.department, active: true, groups: [], raw: {}, ...extra });
const policy = (extra: Partial<AppPolicy> = {}): AppPolicy => ({ ...structuredClone(defaultPolicy), ...extra });

function app(people: Person[], accounts: RemoteAccount[], extra: Partial<AppPlanInput> = {}): AppPlanInput {
  return { name: 'hr', type: 'scim', policy: policy(), capabilities: full, accounts, links: linkAccounts('hr', people, accounts, []).links, ...extra };
}

describe('planner', () => {
  it('joiner: creates the account with the managed attributes, then adds mapped groups', () => {
    const jane = person('jane', { title: 'AE', groups: ['all-staff', 'vpn'] });
    const plan = planChanges({ people: [jane], apps: [app([jane], [], { policy: policy({ groups: { vpn: 'VPN Users', nope: 'Other' } }) })] });
    assert.deepEqual(plan.changes.map((c) => [c.kind, c.group]), [['create', undefined], ['add-member', 'VPN Users']]);
    assert.deepEqual(plan.changes[0]?.attributes, { userName: 'jane@acme.com', email: 'jane@acme.com', externalId: 'jane', active: true, displayName: 'jane', department: 'Sales', title: 'AE' });
    assert.equal(plan.changes[0]?.risk, 'low');
    assert.deepEqual(plan.changes[0]?.approval, []);
    assert.match(plan.changes[0]?.reason ?? '', /jane <jane@acme.com> is assigned to hr and has no account/);
  });

  it('mover: updates only what drifted, with the reason, and moves managed groups only', () => {
    const bob = person('bob', { department: 'Finance', groups: ['all-staff', 'finance'] });
    const acct = account('1', bob, { department: 'Sales', groups: ['Sales Team', 'Hand-made group'] });
    const p = policy({ groups: { sales: 'Sales Team', finance: 'Finance Team' } });
    const plan = planChanges({ people: [bob], apps: [app([bob], [acct], { policy: p })] });
    assert.deepEqual(plan.changes.map((c) => [c.kind, c.group ?? '']), [['update', ''], ['add-member', 'Finance Team'], ['remove-member', 'Sales Team']]);
    assert.deepEqual(plan.changes[0]?.attributes, { department: 'Finance' });
    assert.equal(plan.changes[0]?.reason, "department drifted in hr: 'Sales' ≠ 'Finance' in the IdP");
  });

  it('leaver: deactivates by default; deletes with approval when policy says; nothing when already done', () => {
    const gone = person('gone', { active: false });
    const done = person('done', { active: false });
    const accounts = [account('1', gone), account('2', done, { active: false })];
    const deactivate = planChanges({ people: [gone, done], apps: [app([gone, done], accounts)] });
    assert.deepEqual(deactivate.changes.map((c) => [c.kind, c.remoteId, c.risk, c.approval.length]), [['deactivate', '1', 'high', 0]]);
    const remove = planChanges({ people: [gone, done], apps: [app([gone, done], accounts, { policy: policy({ leaver: 'delete' }) })] });
    // Sorted by subject: done <done@acme.com> before gone <gone@acme.com>; an inactive account is still deleted.
    assert.deepEqual(remove.changes.map((c) => [c.kind, c.remoteId, c.approval]), [['delete', '2', ['deletes need approval']], ['delete', '1', ['deletes need approval']]]);
  });

  it('an app that cannot deactivate deletes instead, and says why', () => {
    const gone = person('gone', { active: false });
    const plan = planChanges({ people: [gone], apps: [app([gone], [account('9', gone)], { capabilities: { ...full, deactivate: false } })] });
    assert.equal(plan.changes[0]?.kind, 'delete');
    assert.match(plan.changes[0]?.reason ?? '', /cannot deactivate, so the account is deleted/);
  });

  it('an attribute the app cannot change after create (ZIA\'s email) is a delete and a create, both held, never an update', () => {
    const jane = person('jane', { email: 'jane.doe@acme.com', emails: ['jane.doe@acme.com', 'jane@acme.com'], department: 'Finance', groups: ['all-staff', 'vpn'] });
    const acct = account('7', jane, { email: 'jane@acme.com', department: 'Sales', groups: ['VPN Users'] });
    const support = { ...full, fixedAfterCreate: ['email'] as const };
    const plan = planChanges({ people: [jane], apps: [app([jane], [acct], { type: 'zscaler', capabilities: support, policy: policy({ groups: { vpn: 'VPN Users' } }) })] });
    assert.deepEqual(plan.changes.map((c) => [c.kind, c.remoteId, c.risk]), [['delete', '7', 'high'], ['create', undefined, 'high']]);
    const [remove, create] = plan.changes;
    const held = 'email cannot be changed in hr after the account is made: replacing the account needs approval';
    assert.deepEqual(remove?.approval, [held]);
    assert.deepEqual(create?.approval, [held]);
    assert.equal(remove?.reason, "email drifted in hr: 'jane@acme.com' ≠ 'jane.doe@acme.com' in the IdP; email cannot be changed in hr, so this account is deleted and a new one created");
    assert.match(create?.reason ?? '', /so a new account replaces 7; its groups follow once it exists$/);
    assert.deepEqual(create?.attributes, { userName: 'jane@acme.com', email: 'jane.doe@acme.com', externalId: 'jane', active: true, displayName: 'jane', department: 'Finance' }, 'the new account gets everything, the other drift included');
    // Where the app can change it, the same drift is an update.
    const update = planChanges({ people: [jane], apps: [app([jane], [acct])] });
    assert.deepEqual(update.changes.map((c) => c.kind), ['update']);
  });

  it('a delete the app refuses (an admin) is held with the app\'s reason, whatever the approval policy', () => {
    const boss = person('boss', { active: false });
    const admin = account('3', boss, { undeletable: 'a ZIA admin cannot be deleted through the API; remove the admin role in the ZIA portal first' });
    const noDeactivate = { ...full, deactivate: false };
    const plan = planChanges({ people: [boss], apps: [app([boss], [admin], { capabilities: noDeactivate, policy: policy({ approval: { ...defaultPolicy.approval, deletes: false } }) })] });
    assert.deepEqual(plan.changes.map((c) => [c.kind, c.approval, c.risk]), [['delete', ['a ZIA admin cannot be deleted through the API; remove the admin role in the ZIA portal first'], 'high']]);
    const byPolicy = planChanges({ people: [boss], apps: [app([boss], [admin], { policy: policy({ leaver: 'delete' }) })] });
    assert.deepEqual(byPolicy.changes[0]?.approval, ['deletes need approval', 'a ZIA admin cannot be deleted through the API; remove the admin role in the ZIA portal first']);
  });

  it('holds changes to named people and admin roles for approval', () => {
    const ceo = person('ceo', { groups: ['execs'] });
    const admin = person('admin', { groups: ['security-admins'] });
    const p = policy({ roles: [{ group: 'security-admins', role: 'Full Admin' }], defaultRole: 'Read Only', approval: { ...defaultPolicy.approval, roles: ['Full Admin'], people: ['ceo@acme.com'] } });
    const plan = planChanges({ people: [ceo, admin], apps: [app([ceo, admin], [], { policy: p })] });
    const byPerson = Object.fromEntries(plan.changes.map((c) => [c.personId, c]));
    assert.deepEqual(byPerson.admin?.approval, ['grants the Full Admin role']);
    assert.equal(byPerson.admin?.attributes?.role, 'Full Admin');
    assert.deepEqual(byPerson.ceo?.approval, ['changes to ceo@acme.com need approval']);
    assert.equal(byPerson.ceo?.attributes?.role, 'Read Only');
  });

  it('circuit breaker: too many accounts switched off at once holds the whole app', () => {
    const people = Array.from({ length: 40 }, (_, i) => person(`p${i}`, { active: i >= 10 }));
    const newcomer = person('new');
    const accounts = people.map((p, i) => account(String(i), p));
    const plan = planChanges({ people: [...people, newcomer], apps: [app([...people, newcomer], accounts)] });
    assert.equal(plan.held.length, 1);
    assert.match(plan.held[0]?.reason ?? '', /circuit breaker: 10 of 40 hr accounts \(25%\) would be deactivated or deleted, more than the 10% allowed/);
    assert.ok(plan.changes.every((c) => c.approval.some((a) => a.startsWith('circuit breaker'))), 'every change of the app is held, the joiner too');
    const small = planChanges({ people, apps: [app(people, accounts, { policy: policy({ approval: { ...defaultPolicy.approval, massChange: { share: 0.5, minimum: 5, withinMinutes: 60 } } }) })] });
    assert.equal(small.held.length, 0);
  });

  it('keeps only the attributes the policy manages, even when the app holds more', () => {
    const p = person('x', { givenName: 'Xavier', title: 'CFO' });
    const acct = account('1', p, { givenName: undefined, title: 'Intern' });
    const plan = planChanges({ people: [p], apps: [app([p], [acct], { policy: policy({ manage: ['department'] }), capabilities: { ...full, attributes: ['givenName', 'department', 'title'] } })] });
    assert.deepEqual(plan.changes, []);
  });

  it('respects what the app can hold: no title drift where the app has no title', () => {
    const p = person('x', { title: 'CFO' });
    const plan = planChanges({ people: [p], apps: [app([p], [account('1', p)], { capabilities: { ...full, attributes: ['displayName', 'email', 'department'] } })] });
    assert.deepEqual(plan.changes, []);
  });

  it('is deterministic, and narrows to one person without changing what that person gets', () => {
    const people = generateOrganisation({ size: 300, seed: 9 });
    const accounts = people.slice(0, 250).map((p, i) => account(String(i), p, { department: i % 7 === 0 ? 'Legal' : p.department }));
    const input = { people, apps: [app(people, accounts), { ...app(people, accounts), name: 'zia', type: 'zscaler' }] };
    const a = planChanges(input);
    const b = planChanges({ ...input, people: [...people].reverse(), apps: [...input.apps].reverse() });
    assert.deepEqual(a, b);
    assert.ok(a.changes.length > 50);
    const someone = a.changes.find((c) => c.kind === 'update')?.personId;
    const one = planChanges({ ...input, only: { people: [someone!] } });
    assert.deepEqual(one.changes, a.changes.filter((c) => c.personId === someone));
  });

  it('shows the requests each change will make', () => {
    const p = person('x');
    const plan = planChanges({ people: [p], apps: [app([p], [], { preview: (change) => [{ method: 'POST', path: `/scim/${change.kind}` }] })] });
    assert.deepEqual(plan.changes[0]?.requests, [{ method: 'POST', path: '/scim/create' }]);
  });

  it('an app that takes groups on create gets them in the create, with no membership change after it', () => {
    const jane = person('p1', { groups: ['vpn'] });
    const policyWithGroups = policy({ groups: { vpn: 'VPN Users' } });
    const separate = planChanges({ people: [jane], apps: [app([jane], [], { policy: policyWithGroups })] });
    assert.deepEqual(separate.changes.map((c) => c.kind), ['create', 'add-member']);
    const together = planChanges({ people: [jane], apps: [app([jane], [], { policy: policyWithGroups, capabilities: { ...full, groupsOnCreate: true } })] });
    assert.deepEqual(together.changes.map((c) => c.kind), ['create']);
    assert.deepEqual(together.changes[0]?.attributes?.groups, ['VPN Users']);
  });
  it('a pending account (invitation not accepted) is never activated; nor is an account in an app that cannot switch accounts off', () => {
    const ann = person('ann');
    const pending = account('4', ann, { active: false, pending: 'invited by email; the invitation is not yet accepted' });
    assert.deepEqual(planChanges({ people: [ann], apps: [app([ann], [pending])] }).changes, []);
    const disabled = account('4', ann, { active: false });
    assert.deepEqual(planChanges({ people: [ann], apps: [app([ann], [disabled])] }).changes.map((c) => c.kind), ['activate'], 'a disabled account is activated where the app can');
    assert.deepEqual(planChanges({ people: [ann], apps: [app([ann], [disabled], { capabilities: { ...full, deactivate: false } })] }).changes, [], 'no activate where the app cannot deactivate');
    // A leaver's pending invitation is withdrawn: deleted where the app cannot deactivate.
    const gone = person('ann', { active: false });
    const plan = planChanges({ people: [gone], apps: [app([gone], [pending], { capabilities: { ...full, deactivate: false } })] });
    assert.deepEqual(plan.changes.map((c) => [c.kind, c.approval]), [['delete', ['deletes need approval']]]);
  });

  it('a role fixed after create (Umbrella API v2) is a delete and a create, both held for approval', () => {
    const ann = person('ann', { groups: ['all-staff', 'admins'] });
    const acct = account('5', ann, { role: 'Read Only' });
    const can: Capabilities = { ...full, updateAccount: false, deactivate: false, fixedAfterCreate: ['email', 'role'] };
    const p = policy({ roles: [{ group: 'admins', role: 'Full Admin' }], defaultRole: 'Read Only' });
    const plan = planChanges({ people: [ann], apps: [app([ann], [acct], { capabilities: can, policy: p })] });
    assert.deepEqual(plan.changes.map((c) => [c.kind, c.remoteId, c.risk]), [['delete', '5', 'high'], ['create', undefined, 'high']]);
    const held = 'role cannot be changed in hr after the account is made: replacing the account needs approval';
    assert.ok(plan.changes.every((c) => c.approval.includes(held)));
    assert.equal(plan.changes[1]?.attributes?.role, 'Full Admin');
    assert.match(plan.changes[0]?.reason ?? '', /^role drifted in hr: 'Read Only' ≠ 'Full Admin' by policy; role cannot be changed in hr/);
    // The same role, nothing; and an app that cannot update plans no update for what it cannot replace.
    assert.deepEqual(planChanges({ people: [ann], apps: [app([ann], [account('5', ann, { role: 'Full Admin', department: 'Other' })], { capabilities: can, policy: p })] }).changes, []);
  });

  it('attributes sent on create but never compared after (createOnly)', () => {
    const ann = person('ann', { displayName: 'Ann Lee', givenName: 'Ann', familyName: 'Lee' });
    const can: Capabilities = { ...full, attributes: ['email', 'displayName', 'givenName', 'familyName'], createOnly: ['displayName', 'givenName', 'familyName'] };
    const p = policy({ manage: ['displayName', 'givenName', 'familyName', 'email'] });
    const create = planChanges({ people: [ann], apps: [app([ann], [], { capabilities: can, policy: p })] });
    assert.deepEqual(create.changes[0]?.attributes, { userName: 'ann@acme.com', email: 'ann@acme.com', externalId: 'ann', active: true, displayName: 'Ann Lee', givenName: 'Ann', familyName: 'Lee' });
    const renamed = account('6', ann, { displayName: 'Former Name', givenName: 'Former' });
    assert.deepEqual(planChanges({ people: [ann], apps: [app([ann], [renamed], { capabilities: can, policy: p })] }).changes, [], 'names never compared');
    assert.deepEqual(planChanges({ people: [ann], apps: [app([ann], [renamed], { policy: p })] }).changes.map((c) => c.kind), ['update'], 'where compared, the same drift is an update');
  });

  it('an app that cannot delete (Umbrella SCIM) deactivates leavers even when policy says delete, and says why', () => {
    const gone = person('gone', { active: false });
    const plan = planChanges({ people: [gone], apps: [app([gone], [account('8', gone)], { name: 'umbrella-scim', capabilities: { ...full, deleteAccount: false }, policy: policy({ leaver: 'delete' }) })] });
    assert.deepEqual(plan.changes.map((c) => c.kind), ['deactivate']);
    assert.match(plan.changes[0]?.reason ?? '', /policy deletes leavers' accounts but umbrella-scim cannot delete, so it is deactivated/);
  });

  it('at most maxGroups groups in the app (Umbrella SCIM, 200): a membership of one more is not planned, and the plan says why', () => {
    const ann = person('ann', { groups: ['all-staff', 'g-new', 'g-old'] });
    const others = Array.from({ length: 3 }, (_, i) => account(`o${i}`, person(`o${i}`), { groups: [`existing ${i}`] }));
    const acct = account('1', ann, { groups: [] });
    const p = policy({ groups: { 'g-new': 'New Group', 'g-old': 'existing 0' } });
    const plan = planChanges({ people: [ann], apps: [app([ann], [acct, ...others], { name: 'umbrella-scim', capabilities: { ...full, maxGroups: 3 }, policy: p })] });
    assert.deepEqual(plan.changes.map((c) => [c.kind, c.group]), [['add-member', 'existing 0']], 'a group the app holds already takes members');
    assert.equal(plan.held.length, 1);
    assert.match(plan.held[0]?.reason ?? '', /^no more than 3 groups in umbrella-scim: 1 membership of a group it does not hold yet not planned \(ann <ann@acme.com> → New Group\)/);
    assert.deepEqual(plan.held[0]?.changes, ['umbrella-scim/add-member/ann/New Group']);
    // Under the limit, the new group is planned (the connector makes it on first use).
    const roomy = planChanges({ people: [ann], apps: [app([ann], [acct, ...others], { capabilities: { ...full, maxGroups: 4 }, policy: p })] });
    assert.deepEqual(roomy.changes.map((c) => c.group), ['New Group', 'existing 0']);
    assert.deepEqual(roomy.held, []);
  });

  it('at most maxGroupsPerUser groups per account (ZIA SCIM, 128): the memberships past it are not planned, and the plan says why', () => {
    const wanted = Array.from({ length: 4 }, (_, i) => `idp${i}`);
    const bob = person('bob', { groups: wanted });
    const mapping = Object.fromEntries(wanted.map((g, i) => [g, `G${i}`]));
    const can: Capabilities = { ...full, maxGroupsPerUser: 3 };
    const existing = planChanges({ people: [bob], apps: [app([bob], [account('1', bob, { groups: ['G0', 'Other'] })], { name: 'zia-scim', capabilities: can, policy: policy({ groups: mapping }) })] });
    assert.deepEqual(existing.changes.map((c) => c.group), ['G1'], 'two held already, one more fits');
    assert.match(existing.held[0]?.reason ?? '', /^no more than 3 groups per user in zia-scim: 2 memberships not planned \(bob <bob@acme.com> → G2, bob <bob@acme.com> → G3\)/);
    const joiner = planChanges({ people: [bob], apps: [app([bob], [], { name: 'zia-scim', capabilities: can, policy: policy({ groups: mapping }) })] });
    assert.deepEqual(joiner.changes.map((c) => [c.kind, c.group]), [['create', undefined], ['add-member', 'G0'], ['add-member', 'G1'], ['add-member', 'G2']]);
    assert.deepEqual(joiner.held[0]?.changes, ['zia-scim/add-member/bob/G3']);
  });

  it('a disabled account of an active person is enabled again where the app can, even if roster never switches accounts off there', () => {
    const jane = person('p1');
    const disabled = { ...account('1', jane), active: false };
    const kinds = (capabilities: typeof full) => planChanges({ people: [jane], apps: [app([jane], [disabled], { capabilities })] }).changes.map((c) => c.kind);
    assert.deepEqual(kinds({ ...full, deactivate: false }), [], 'an app that cannot switch accounts on or off');
    assert.deepEqual(kinds({ ...full, deactivate: false, reactivate: true }), ['activate'], 'ZIA: no soft delete, but an account disabled by hand is enabled again');
  });

  it('a policy group the app does not hold is named in the plan, and none of its memberships is planned', () => {
    const jane = person('p1', { groups: ['vpn', 'eng'] });
    const plan = planChanges({ people: [jane], apps: [app([jane], [], { policy: policy({ groups: { vpn: 'VPN Users', eng: 'Engineers' } }), appGroups: ['vpn users'] })] });
    assert.deepEqual(plan.changes.map((c) => [c.kind, c.group]), [['create', undefined], ['add-member', 'VPN Users']]);
    assert.equal(plan.held.length, 1);
    assert.match(plan.held[0]?.reason ?? '', /^no group named Engineers in hr: 1 membership not planned; add the group in hr or change policy.groups$/);
    assert.deepEqual(plan.held[0]?.changes, ['hr/add-member/p1/Engineers']);
    const unknown = planChanges({ people: [jane], apps: [app([jane], [], { policy: policy({ groups: { eng: 'Engineers' } }) })] });
    assert.equal(unknown.held.length, 0, 'where the app’s groups were not read, nothing is assumed');
  });
});
