import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { LimitExceeded, UsageMeter, usageLimitsFromEnvironment, windowStart } from './limits.ts';

for (const kind of databaseKinds) {
  describe(`per agent token limits, kept in the database (${kind})`, () => {
    it('refuses the call past the minute’s limit, saying when to come back, and lets calls through again the next minute', async () => {
      const db = await openTestDatabase(kind);
      try {
        let now = new Date('2026-12-03T10:00:50.000Z');
        const meter = new UsageMeter(db, 'tok-1', { callsPerMinute: 2, resultCharsPerHour: 1000 }, () => now);
        // A second process on the same database counts against the same total.
        const elsewhere = new UsageMeter(db, 'tok-1', { callsPerMinute: 2, resultCharsPerHour: 1000 }, () => now);
        await meter.admit();
        await elsewhere.admit();
        await assert.rejects(meter.admit(), (e) => e instanceof LimitExceeded && e.retryAfterSeconds === 10 && /more than 2 calls this minute.*try again in 10 s/.test(e.message));
        await new UsageMeter(db, 'tok-2', { callsPerMinute: 2, resultCharsPerHour: 1000 }, () => now).admit();
        now = new Date('2026-12-03T10:01:00.000Z');
        await meter.admit();
      } finally {
        await db.close();
      }
    });

    it('refuses calls once the hour’s result characters are spent, until the next hour', async () => {
      const db = await openTestDatabase(kind);
      try {
        let now = new Date('2026-12-03T10:59:00.000Z');
        const meter = new UsageMeter(db, 'tok-1', { callsPerMinute: 100, resultCharsPerHour: 1000 }, () => now);
        await meter.admit();
        await meter.spend(600);
        await meter.admit();
        await meter.spend(600);
        await assert.rejects(meter.admit(), (e) => e instanceof LimitExceeded && /sent 1200 characters of results this hour \(budget 1000\).*try again in 60 s/.test(e.message));
        now = new Date('2026-12-03T11:00:00.000Z');
        await meter.admit();
        await meter.spend(10);
        now = new Date('2026-12-03T12:30:00.000Z');
        await meter.admit();
        const hours = await db.query<{ window_start: Date }>("select window_start from mcp_usage where window_kind = 'hour' order by window_start");
        assert.deepEqual(hours.map((r) => new Date(r.window_start).toISOString()), ['2026-12-03T11:00:00.000Z'], 'windows long past are forgotten');
      } finally {
        await db.close();
      }
    });
  });
}

describe('limit settings', () => {
  it('reads whole numbers from the environment and refuses anything else', () => {
    assert.deepEqual(usageLimitsFromEnvironment({ ROSTER_MCP_CALLS_PER_MINUTE: '5', ROSTER_MCP_CHARS_PER_HOUR: '9000' }), { callsPerMinute: 5, resultCharsPerHour: 9000 });
    assert.throws(() => usageLimitsFromEnvironment({ ROSTER_MCP_CALLS_PER_MINUTE: '0' }), /ROSTER_MCP_CALLS_PER_MINUTE must be a whole number of at least 1, not "0"/);
    assert.equal(windowStart(new Date('2026-12-03T10:59:59.999Z'), 60_000).toISOString(), '2026-12-03T10:59:00.000Z');
  });
});
