import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { priorities, RateBudget, type RateRule } from '../connectors/http/rate-budget.ts';
import type { Database } from './database.ts';
import { DatabaseRateLedger, rateBudgetUse, type DatabaseRateLedgerOptions } from './rate-ledger.ts';
import { databaseKinds, openTestDatabase } from './testing.ts';

/** A budget as one process holds it: its own ledger handle (its own holder name) on the shared database. */
const processBudget = (db: Database, key: string, rules: RateRule[], options: DatabaseRateLedgerOptions = {}) => new RateBudget({ rules, shared: { ledger: new DatabaseRateLedger(db, options), key } });

/** The smallest gap between a grant and the one `limit` places after it: at least the window when the rule held. */
function tightestWindow(times: number[], limit: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let tightest = Infinity;
  for (let i = 0; i + limit < sorted.length; i += 1) tightest = Math.min(tightest, (sorted[i + limit] ?? 0) - (sorted[i] ?? 0));
  return tightest;
}

for (const kind of databaseKinds) {
  describe(`shared rate budget on ${kind}`, () => {
    let db: Database;
    before(async () => {
      db = await openTestDatabase(kind);
    });
    after(() => db.close());

    it('holds a limit across two processes: no window of the rule holds more than its limit, however they interleave', async () => {
      const rules = [{ limit: 4, windowMs: 400 }];
      const budgets = [processBudget(db, 'limit', rules), processBudget(db, 'limit', rules)];
      const started = Date.now();
      const times: number[] = [];
      await Promise.all(
        budgets.flatMap((budget) =>
          Array.from({ length: 6 }, async () => {
            const release = await budget.acquire('GET');
            times.push(Date.now());
            release();
          }),
        ),
      );
      assert.equal(times.length, 12);
      assert.ok(tightestWindow(times, 4) >= 398, `the 5th request after any one waited a window (tightest ${tightestWindow(times, 4)} ms)`);
      assert.ok(Date.now() - started >= 800, 'twelve at four per 400 ms take at least two windows');
      const [use] = await rateBudgetUse(db).then((all) => all.filter((u) => u.key === 'limit'));
      assert.equal(use?.rules[0]?.limit, 4);
      assert.ok((use?.rules[0]?.used ?? 0) <= 4 && (use?.rules[0]?.used ?? 0) >= 1, `used within the window: ${use?.rules[0]?.used}`);
    });

    it('honours every rule at once (a burst rule and a slower sustained one)', async () => {
      const rules = [{ limit: 3, windowMs: 200 }, { limit: 5, windowMs: 1000 }];
      const budgets = [processBudget(db, 'two-rules', rules), processBudget(db, 'two-rules', rules)];
      const times: number[] = [];
      await Promise.all(budgets.flatMap((budget) => Array.from({ length: 4 }, async () => {
        const release = await budget.acquire('POST', priorities.joinerMover);
        times.push(Date.now());
        release();
      })));
      assert.ok(tightestWindow(times, 3) >= 198, 'at most 3 in any 200 ms');
      assert.ok(tightestWindow(times, 5) >= 998, `at most 5 in any second (tightest ${tightestWindow(times, 5)} ms)`);
    });

    it('counts a request still in flight until its answer is in, and its window from then', async () => {
      const budgets = [processBudget(db, 'flight', [{ limit: 1, windowMs: 200 }]), processBudget(db, 'flight', [{ limit: 1, windowMs: 200 }])];
      const release = await budgets[0]!.acquire('GET');
      let second = 0;
      const waiting = budgets[1]!.acquire('GET').then((r) => {
        second = Date.now();
        r();
      });
      await sleep(500);
      assert.equal(second, 0, 'nothing goes while the first is in flight, however long');
      const answered = Date.now();
      release();
      await waiting;
      assert.ok(second - answered >= 195, `the next went a window after the answer (${second - answered} ms)`);
    });

    it('a leaver waiting in one process goes before a read waiting in another, whoever asked first', async () => {
      const rules = [{ limit: 1, windowMs: 300 }];
      const reader = processBudget(db, 'priority', rules);
      const offboarder = processBudget(db, 'priority', rules);
      (await reader.acquire('GET'))();
      const order: string[] = [];
      const read = reader.acquire('GET', priorities.read).then((r) => {
        order.push('read');
        r();
      });
      await sleep(60);
      const leaver = offboarder.acquire('PATCH', priorities.leaver).then((r) => {
        order.push('leaver');
        r();
      });
      const joiner = offboarder.acquire('POST', priorities.joinerMover).then((r) => {
        order.push('joiner');
        r();
      });
      await Promise.all([read, leaver, joiner]);
      assert.deepEqual(order, ['leaver', 'joiner', 'read']);
    });

    it('a waiter whose process died blocks nobody once its place expires', async () => {
      const rules = [{ limit: 1, windowMs: 100 }];
      const dead = new DatabaseRateLedger(db, { waiterTtlMs: 400, lingerMs: 0 });
      (await processBudget(db, 'dead', rules).acquire('GET'))();
      // A leaver's claim, refused for the limit, registers it as waiting; then its process is gone.
      // On a loaded machine the window may pass before the claim: a granted claim fills it again, so ask until refused.
      let answer = { granted: true };
      for (let tries = 0; answer.granted && tries < 20; tries += 1) answer = await dead.claim({ key: 'dead', priority: priorities.leaver, rules: [{ index: 0, limit: 1, windowMs: 100 }], scopes: [''], moreWaiting: false });
      assert.equal(answer.granted, false);
      const asked = Date.now();
      const release = await processBudget(db, 'dead', rules).acquire('GET', priorities.read);
      release();
      const waited = Date.now() - asked;
      assert.ok(waited >= 250, `the read waited for the leaver while its place was live (${waited} ms)`);
      assert.ok(waited < 5000, `and went once it expired (${waited} ms)`);
    });

    it('a 429 in one process holds every process until its Retry-After, and is shown with its reason', async () => {
      const rules = [{ limit: 100, windowMs: 1000 }];
      const first = processBudget(db, 'penalty', rules);
      const second = processBudget(db, 'penalty', rules);
      (await first.acquire('GET'))();
      first.pause(600);
      await sleep(50);
      const asked = Date.now();
      (await second.acquire('GET', priorities.leaver))();
      assert.ok(Date.now() - asked >= 450, `the other process waited out the 429 (${Date.now() - asked} ms)`);
      first.pause(5000);
      await sleep(50);
      const use = (await rateBudgetUse(db)).find((u) => u.key === 'penalty');
      assert.equal(use?.blocked[0]?.reason, 'the app answered 429');
    });

    it('a wait longer than the caller sits out fails at once as rate_limited, to be rescheduled', async () => {
      const budget = processBudget(db, 'long', [{ limit: 1, windowMs: 60_000 }]);
      (await budget.acquire('DELETE', priorities.leaver))();
      const asked = Date.now();
      await assert.rejects(processBudget(db, 'long', [{ limit: 1, windowMs: 60_000 }]).acquire('DELETE', priorities.leaver, undefined, 5000), (error: Error & { code?: string; facts?: { retryAfterMs?: number } }) => {
        assert.equal(error.code, 'rate_limited');
        assert.ok((error.facts?.retryAfterMs ?? 0) > 55_000, `the wait is told: ${error.facts?.retryAfterMs}`);
        return true;
      });
      assert.ok(Date.now() - asked < 5000, 'without sitting it out');
    });

    it('a budget with no rules costs no claims, yet honours a block another process set', async () => {
      const quiet = processBudget(db, 'no-rules', []);
      const other = processBudget(db, 'no-rules', []);
      for (let i = 0; i < 20; i += 1) (await quiet.acquire('GET'))();
      const [grants] = await db.query<{ n: number }>("select count(*)::int as n from rate_grants where key = 'no-rules'");
      assert.equal(grants?.n, 0, 'nothing written for an unlimited app');
      other.pause(700);
      await sleep(600);
      const asked = Date.now();
      (await quiet.acquire('GET'))();
      assert.ok(Date.now() - asked >= 50, 'held by the block it read');
    });
  });
}
