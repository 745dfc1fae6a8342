import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RemoteAccount } from '../core/account.ts';
import { databaseKinds, openTestDatabase } from './testing.ts';
import { appSyncState, completeSyncRun, currentAccounts, ensureApp, failSyncRun, insertAccounts, startSyncRun } from './accounts.ts';

const account = (remoteId: string, email: string): RemoteAccount => ({ remoteId, email, active: true, groups: ['g'], raw: { id: remoteId, extra: { nested: true } } });

for (const kind of databaseKinds) {
  describe(`accounts store on ${kind}`, () => {
    it('shows a run’s accounts only once it succeeds, and keeps the last good state when one fails', async () => {
      const db = await openTestDatabase(kind);
      try {
        await ensureApp(db, { name: 'hr', type: 'scim', baseUrl: 'http://127.0.0.1:1/scim/v2' });
        const first = await startSyncRun(db, 'hr');
        await insertAccounts(db, first, 'hr', [account('1', 'a@x.com'), { ...account('2', 'b@x.com'), undeletable: 'an admin cannot be deleted here' }]);
        assert.deepEqual(await currentAccounts(db, 'hr'), [], 'nothing current while running');
        await completeSyncRun(db, first, 'hr', { accountsRead: 2, listRequests: 1 });
        assert.deepEqual((await currentAccounts(db, 'hr')).map((a) => a.remoteId), ['1', '2']);
        assert.deepEqual((await currentAccounts(db, 'hr'))[0]?.raw, { id: '1', extra: { nested: true } });
        assert.deepEqual((await currentAccounts(db, 'hr', { raw: false })).map((a) => a.undeletable), [undefined, 'an admin cannot be deleted here'], 'what the app will not delete is kept for the planner');

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
  });
}
