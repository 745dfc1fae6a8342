import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { Secret } from '../config/secret.ts';
import { queryAudit, recordAudit } from './trail.ts';

for (const kind of databaseKinds) {
  describe(`audit trail on ${kind}`, () => {
    it('records events, newest first, filtered by action prefix, with secrets redacted', async () => {
      const db = await openTestDatabase(kind);
      try {
        await recordAudit(db, { actor: 'operator:alice', action: 'sync.started', appName: 'hr' });
        await recordAudit(db, [
          { actor: 'system', action: 'account.list', appName: 'hr', detail: { request: { headers: { Authorization: 'Bearer abc123' } }, count: 100 } },
          { actor: 'system', action: 'sync.completed', appName: 'hr', detail: { token: new Secret('abc123', 'env:T'), note: 'ok' } },
        ]);
        const events = await queryAudit(db, { action: 'sync' });
        assert.deepEqual(events.map((e) => e.action), ['sync.completed', 'sync.started']);
        assert.equal(events[1]?.actor, 'operator:alice');
        const all = JSON.stringify(await queryAudit(db));
        assert.ok(!all.includes('abc123'), all);
        assert.match(all, /"count":100/);
      } finally {
        await db.close();
      }
    });
  });
}
