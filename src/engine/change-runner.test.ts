import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RemoteAccount } from '../core/account.ts';
import type { Change } from '../core/plan.ts';
import { RosterError } from '../errors.ts';
import { FakeConnector } from '../../test/support/fake-connector.ts';
import { NotReadyError, runChange, type RunContext } from './change-runner.ts';

const change = (over: Partial<Change>): Change => ({ id: 'fake/x/p1', app: 'fake', kind: 'update', personId: 'p1', subject: 'jane', reason: 'r', risk: 'low', approval: [], requests: [], ...over });

function contextFor(connector: FakeConnector, linked?: string): RunContext & { snapshots: RemoteAccount[] } {
  const snapshots: RemoteAccount[] = [];
  return {
    connector,
    snapshots,
    linkedRemoteId: async () => linked,
    snapshot: async (account) => {
      connector.calls.push(`snapshot ${account.remoteId}`);
      snapshots.push(account);
    },
  };
}

describe('runChange: each change done once, read before written, verified after', () => {
  it('create: an account already there (a retry, a resume) is taken, not created twice', async () => {
    const app = new FakeConnector();
    const jane = app.seed({ userName: 'jane@example.com' });
    const outcome = await runChange(contextFor(app), change({ kind: 'create', attributes: { userName: 'jane@example.com', email: 'jane@example.com' } }));
    assert.deepEqual(outcome, { alreadyDone: true, remoteId: jane.remoteId, account: jane });
    assert.ok(!app.calls.some((c) => c.startsWith('createAccount')));
  });

  it('create, first attempt: one request — no lookup first, and the app’s answer is the read-back', async () => {
    const app = new FakeConnector();
    const outcome = await runChange(contextFor(app), change({ kind: 'create', attributes: { userName: 'new@example.com', email: 'new@example.com', department: 'Sales' } }), 1);
    assert.equal(outcome.alreadyDone, false);
    assert.equal(app.accounts.get(outcome.remoteId ?? '')?.department, 'Sales');
    assert.deepEqual(app.calls, ['createAccount new@example.com']);
  });

  it('create, first attempt, of an account the app already has: its 409 leads to the account, taken as it is', async () => {
    const app = new FakeConnector();
    const jane = app.seed({ userName: 'jane@example.com' });
    const outcome = await runChange(contextFor(app), change({ kind: 'create', attributes: { userName: 'jane@example.com', email: 'jane@example.com' } }), 1);
    assert.deepEqual(outcome, { alreadyDone: true, remoteId: jane.remoteId, account: jane });
    assert.deepEqual(app.calls, ['createAccount jane@example.com', 'findAccount jane@example.com']);
  });

  it('update, first attempt: written at once and verified by the answer; a retry reads first and writes only what differs', async () => {
    const app = new FakeConnector();
    const jane = app.seed({ userName: 'jane@example.com', department: 'Sales', title: 'VP' });
    await runChange(contextFor(app), change({ kind: 'update', remoteId: jane.remoteId, attributes: { department: 'Finance' } }), 1);
    assert.deepEqual(app.calls, [`updateAccount ${jane.remoteId} {"department":"Finance"}`]);
    app.calls.length = 0;
    const again = await runChange(contextFor(app), change({ kind: 'update', remoteId: jane.remoteId, attributes: { department: 'Finance' } }), 2);
    assert.equal(again.alreadyDone, true);
    assert.deepEqual(app.calls, [`getAccount ${jane.remoteId}`]);
  });

  it('delete: read, then the snapshot is taken, then the one delete request (its success is the proof)', async () => {
    const app = new FakeConnector();
    const jane = app.seed({ userName: 'jane@example.com', groups: ['Admins'] });
    const ctx = contextFor(app);
    const outcome = await runChange(ctx, change({ kind: 'delete', remoteId: jane.remoteId }));
    assert.deepEqual(app.calls, [`getAccount ${jane.remoteId}`, `snapshot ${jane.remoteId}`, `deleteAccount ${jane.remoteId}`]);
    assert.deepEqual(ctx.snapshots[0]?.groups, ['Admins']);
    assert.equal(outcome.alreadyDone, false);
  });

  it('deactivate or delete, first attempt: the stored record is the snapshot, then one write', async () => {
    const app = new FakeConnector();
    const jane = app.seed({ userName: 'jane@example.com', groups: ['Admins'] });
    const stored = { ...jane, raw: { as: 'synced' } };
    const ctx = { ...contextFor(app), storedAccount: async () => stored };
    await runChange(ctx, change({ kind: 'deactivate', remoteId: jane.remoteId }), 1);
    assert.deepEqual(app.calls, [`snapshot ${jane.remoteId}`, `setActive ${jane.remoteId} false`]);
    assert.deepEqual(ctx.snapshots[0]?.raw, { as: 'synced' });
    app.calls.length = 0;
    const gone = await runChange(ctx, change({ kind: 'delete', remoteId: jane.remoteId }), 1);
    assert.deepEqual(app.calls, [`snapshot ${jane.remoteId}`, `deleteAccount ${jane.remoteId}`]);
    assert.equal(gone.alreadyDone, false);
    const again = await runChange(ctx, change({ kind: 'delete', remoteId: jane.remoteId }), 1);
    assert.equal(again.alreadyDone, true, 'a delete answered 404 was already done');
  });

  it('delete of an account already gone is done, with no request but the read', async () => {
    const app = new FakeConnector();
    const outcome = await runChange(contextFor(app), change({ kind: 'delete', remoteId: '99' }));
    assert.equal(outcome.alreadyDone, true);
    assert.deepEqual(app.calls, ['getAccount 99']);
  });

  it('a failed snapshot stops a destructive change before anything is destroyed', async () => {
    const app = new FakeConnector();
    const jane = app.seed({ userName: 'jane@example.com' });
    const ctx = { ...contextFor(app), snapshot: async () => Promise.reject(new Error('disk full')) };
    await assert.rejects(runChange(ctx, change({ kind: 'deactivate', remoteId: jane.remoteId })), /disk full/);
    assert.equal(app.accounts.get(jane.remoteId)?.active, true);
  });

  it('deactivate of an inactive account writes nothing; update writes only what still differs', async () => {
    const app = new FakeConnector();
    const off = app.seed({ userName: 'off@example.com', active: false });
    assert.equal((await runChange(contextFor(app), change({ kind: 'deactivate', remoteId: off.remoteId }))).alreadyDone, true);
    const on = app.seed({ userName: 'on@example.com', department: 'Sales', title: 'VP' });
    await runChange(contextFor(app), change({ kind: 'update', remoteId: on.remoteId, attributes: { department: 'Finance', title: 'VP' } }));
    assert.ok(app.calls.includes(`updateAccount ${on.remoteId} {"department":"Finance"}`), app.calls.join('\n'));
  });

  it('add-member: already a member writes nothing; a write the app does not show is an app error', async () => {
    const app = new FakeConnector();
    const jane = app.seed({ userName: 'jane@example.com', groups: ['Staff'] });
    assert.equal((await runChange(contextFor(app), change({ kind: 'add-member', remoteId: jane.remoteId, group: 'Staff' }))).alreadyDone, true);
    app.addToGroup = async () => undefined; // the app answers 2xx but keeps nothing
    await assert.rejects(runChange(contextFor(app), change({ kind: 'add-member', remoteId: jane.remoteId, group: 'Admins' })), (e: unknown) => e instanceof RosterError && e.code === 'app_error' && /does not show them in Admins/.test(e.message));
  });

  it('a change whose account does not exist yet is not ready (it waits for its create)', async () => {
    const app = new FakeConnector();
    await assert.rejects(runChange(contextFor(app), change({ kind: 'add-member', group: 'Staff' })), NotReadyError);
    const jane = app.seed({ userName: 'jane@example.com' });
    const outcome = await runChange(contextFor(app, jane.remoteId), change({ kind: 'add-member', group: 'Staff' }));
    assert.equal(outcome.alreadyDone, false);
    assert.deepEqual(app.accounts.get(jane.remoteId)?.groups, ['Staff']);
  });
});
