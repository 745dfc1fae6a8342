import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RemoteAccount } from '../core/account.ts';
import { databaseKinds, openTestDatabase } from './testing.ts';
import { appSyncState, completeSyncRun, currentAccounts, ensureApp, failSyncRun, insertAccounts, interruptStaleSyncRuns, startSyncRun, touchSyncRun } from './accounts.ts';

const account = (remoteId: string, email: string): RemoteAccount => ({ remoteId, email, active: true, groups: ['g'], raw: { id: remoteId, extra: { nested: true } } });

for (const kind of databaseKinds) {
  describe(`accounts store on ${kind}`, () => {
    it('shows a run’s accounts only once it succeeds, and keeps the last good state when one fails', async () => {
      const db = await openTestDatabase(kind);
      try {
        await ensureApp(db, { name: 'hr', type: 'scim', baseUrl: 'http://127.0.0.1:1/scim/v2' });
        const first = await startSyncRun(db, 'hr');
        await insertAccounts(db, first, 'hr', [account('1', 'a@x.com'), { ...account('2', 'b@x.com'), undeletable: 'an admin cannot be deleted here', role: 'Read Only', pending: 'invited by email' }]);
        assert.deepEqual(await currentAccounts(db, 'hr'), [], 'nothing current while running');
        await completeSyncRun(db, first, 'hr', { accountsRead: 2, listRequests: 1 });
        assert.deepEqual((await currentAccounts(db, 'hr')).map((a) => a.remoteId), ['1', '2']);
        assert.deepEqual((await currentAccounts(db, 'hr'))[0]?.raw, { id: '1', extra: { nested: true } });
        assert.deepEqual((await currentAccounts(db, 'hr', { raw: false })).map((a) => a.undeletable), [undefined, 'an admin cannot be deleted here'], 'what the app will not delete is kept for the planner');
        assert.deepEqual((await currentAccounts(db, 'hr', { raw: false })).map((a) => [a.role, a.pending]), [[undefined, undefined], ['Read Only', 'invited by email']], 'the role and a pending invitation are kept for the planner');

        const second = await startSyncRun(db, 'hr');
        await insertAccounts(db, second, 'hr', [account('3', 'c@x.com')]);
        await failSyncRun(db, second, 'app unreachable', { accountsRead: 1, listRequests: 1 });
        assert.deepEqual((await currentAccounts(db, 'hr')).map((a) => a.remoteId), ['1', '2'], 'previous good state kept');
        const [state] = await appSyncState(db);
        assert.equal(state?.current?.id, first);
        assert.equal(state?.latest?.status, 'failed');
        assert.equal(state?.latest?.error, 'app unreachable');

        const third = await startSyncRun(db, 'hr');
        await insertAccounts(db, third, 'hr', [account('3', 'c@x.com'), account('3', 'c2@x.com')]);
        await completeSyncRun(db, third, 'hr', { accountsRead: 2, listRequests: 1 });
        const now = await currentAccounts(db, 'hr');
        assert.deepEqual(now.map((a) => [a.remoteId, a.email]), [['3', 'c2@x.com']], 'replaced whole; a repeated account keeps its last copy');
        const stored = await db.query<{ n: number }>('select count(*)::int as n from accounts');
        assert.equal(stored[0]?.n, 1, 'old runs’ rows are gone');
      } finally {
        await db.close();
      }
    });

    it('shows a run without a heartbeat for longer than the lease as interrupted, and the next sync records it so', async () => {
      const db = await openTestDatabase(kind);
      try {
        await ensureApp(db, { name: 'hr', type: 'scim', baseUrl: 'http://127.0.0.1:1/scim/v2' });
        await ensureApp(db, { name: 'zia', type: 'zscaler', baseUrl: 'http://127.0.0.1:2/api/v1' });
        const killed = await startSyncRun(db, 'hr');
        await insertAccounts(db, killed, 'hr', [account('1', 'a@x.com')]);
        const alive = await startSyncRun(db, 'zia');
        await db.query("update sync_runs set heartbeat_at = now() - interval '10 minutes' where id = any($1::bigint[])", [[killed, alive]]);
        await touchSyncRun(db, alive);

        const [hr, zia] = await appSyncState(db);
        assert.equal(hr?.latest?.status, 'interrupted');
        assert.match(hr?.latest?.error ?? '', /^no sign of life since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: the process running it stopped part way/);
        assert.equal(zia?.latest?.status, 'running', 'a run with a fresh heartbeat is still running');

        assert.deepEqual((await interruptStaleSyncRuns(db, 'hr')).map((run) => run.id), [killed]);
        assert.deepEqual(await interruptStaleSyncRuns(db, 'zia'), []);
        const [row] = await db.query<{ status: string; finished_at: Date | null; n: number }>(
          'select status, finished_at, (select count(*)::int from accounts where sync_id = $1) as n from sync_runs where id = $1',
          [killed],
        );
        assert.equal(row?.status, 'interrupted');
        assert.ok(row?.finished_at);
        assert.equal(row?.n, 0, 'what the killed run read is dropped');

        const next = await startSyncRun(db, 'hr');
        await insertAccounts(db, next, 'hr', [account('2', 'b@x.com')]);
        await completeSyncRun(db, next, 'hr', { accountsRead: 1, listRequests: 1 });
        assert.deepEqual((await currentAccounts(db, 'hr')).map((a) => a.remoteId), ['2']);
        await assert.rejects(completeSyncRun(db, killed, 'hr', { accountsRead: 1, listRequests: 1 }), /sync run \d+ of hr was recorded as interrupted while it ran/);
        await failSyncRun(db, killed, 'late failure', { accountsRead: 0, listRequests: 0 });
        const [after] = await db.query<{ status: string }>('select status from sync_runs where id = $1', [killed]);
        assert.equal(after?.status, 'interrupted', 'an interrupted run stays interrupted');
      } finally {
        await db.close();
      }
    });

    it('stores a failed run\'s error redacted', async () => {
      const db = await openTestDatabase(kind);
      try {
        await ensureApp(db, { name: 'hr', type: 'scim', baseUrl: 'http://127.0.0.1:1/scim/v2' });
        const run = await startSyncRun(db, 'hr');
        await failSyncRun(db, run, 'hr: GET /Users answered 400 (api_key=sk_live_999 refused)', { accountsRead: 0, listRequests: 0 });
        const [state] = await appSyncState(db);
        assert.equal(state?.latest?.error, 'hr: GET /Users answered 400 (api_key=[redacted] refused)');
      } finally {
        await db.close();
      }
    });
  });
}
