import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Change } from '../../core/plan.ts';
import { umbrellaCapabilities } from './manifest.ts';
import { previewUmbrella } from './preview.ts';

const change = (kind: Change['kind'], extra: Partial<Change> = {}): Change => ({ id: `u/${kind}/ann`, app: 'u', kind, subject: 'ann@example.com', reason: 'test', risk: 'low', approval: [], requests: [], ...extra });

it('preview: each API shows the requests it makes, and none for what it cannot do', () => {
  const create = change('create', { attributes: { userName: 'ann@example.com', email: 'ann@example.com', displayName: 'Ann Lee', role: 'Full Admin' } });
  assert.deepEqual(previewUmbrella('v1', create, { organizationId: 7 }), [{ method: 'POST', path: '/organizations/7/users', body: { name: 'Ann Lee', email: 'ann@example.com', role: 'Full Admin' } }]);
  const v2 = previewUmbrella('v2', create);
  assert.deepEqual(v2.map((r) => `${r.method} ${r.path}`), ['GET /admin/v2/roles', 'POST /admin/v2/users']);
  assert.equal((v2[1]?.body as { password: string }).password, '[generated, never shown]');
  assert.deepEqual(previewUmbrella('v1', change('update', { remoteId: '9', attributes: { displayName: 'A' } })).map((r) => `${r.method} ${r.path}`), ['GET /organizations/{org}/users/9', 'PUT /organizations/{org}/users/9']);
  assert.deepEqual(previewUmbrella('v2', change('update', { remoteId: '9' })), []);
  assert.deepEqual(previewUmbrella('v1', change('deactivate', { remoteId: '9' })), []);
  assert.deepEqual(previewUmbrella('scim', change('delete', { remoteId: 'x' })), []);
  assert.deepEqual(previewUmbrella('scim', change('deactivate', { remoteId: 'x' }))[0], { method: 'PATCH', path: '/Users/x', body: { Operations: [{ op: 'replace', path: 'active', value: false }] } });
});

it('capabilities: what each API can hold and do, for the planner', () => {
  const { v1, v2, scim } = umbrellaCapabilities;
  assert.deepEqual([v1.deactivate, v1.deleteAccount, v1.groups, v1.updateAccount], [false, true, false, true]);
  assert.deepEqual([v2.updateAccount, v2.deactivate, v2.deleteAccount], [false, false, true]);
  assert.deepEqual(v2.fixedAfterCreate, ['email', 'role']);
  assert.deepEqual(v2.createOnly, ['displayName', 'givenName', 'familyName']);
  assert.deepEqual([scim.deactivate, scim.deleteAccount, scim.maxGroups], [true, false, 200]);
});
