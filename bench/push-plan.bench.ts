// Benchmark: what one IdP push costs to plan, as the directory grows. Every person has an account
// in each app (the worst case for a plan narrowed to one person: nothing to skip but others'
// accounts). Prints, per database and size, the median and p95 of a one-person plan (a leaver:
// saved, with its audit record) and the time of one plan for everyone, for comparison.
//   node bench/push-plan.bench.ts [--people 10000,100000] [--apps 2] [--kinds pglite,postgres] [--runs 40]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeConnector } from '../test/support/fake-connector.ts';
import { parseConfig } from '../src/config/load.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { makePlan } from '../src/engine/planning.ts';
import { syncApp } from '../src/engine/sync.ts';
import { openDatabase } from '../src/store/open.ts';
import { openPostgres } from '../src/store/postgres.ts';
import { upsertPeople } from '../src/store/people.ts';
import { testPostgresUrl } from '../src/store/testing.ts';
import type { Database } from '../src/store/database.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '10000,100000' }, apps: { type: 'string', default: '2' }, kinds: { type: 'string', default: 'pglite,postgres' }, runs: { type: 'string', default: '40' } } });
const runs = Number(values.runs);
const appCount = Number(values.apps);

async function open(kind: string): Promise<{ db: Database; drop: () => Promise<void> }> {
  if (kind === 'pglite') return { db: await openDatabase({ home: mkdtempSync(join(tmpdir(), 'roster-bench-')) }), drop: async () => undefined };
  const schema = `roster_bench_${Math.random().toString(36).slice(2, 8)}`;
  return {
    db: await openDatabase({ databaseUrl: testPostgresUrl, schema }),
    async drop() {
      const admin = await openPostgres(testPostgresUrl, { max: 1 });
      await admin.exec(`drop schema if exists ${schema} cascade; drop schema if exists ${schema}_queue cascade`);
      await admin.close();
    },
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

for (const kind of values.kinds.split(',')) {
  for (const size of values.people.split(',').map(Number)) {
    const { db, drop } = await open(kind);
    try {
      const people = generateOrganisation({ size, seed: 5, domain: 'example.com' }).map((p) => ({ ...p, active: true }));
      for (let from = 0; from < size; from += 5000) await upsertPeople(db, people.slice(from, from + 5000), 'bench');
      const names = Array.from({ length: appCount }, (_, a) => `app${a}`);
      const { apps } = parseConfig({ apps: Object.fromEntries(names.map((name) => [name, { type: 'scim', baseUrl: 'http://127.0.0.1:9', auth: { type: 'bearer', token: 'env:T' }, rateBudget: false }])) }, undefined, { env: { T: 't' } });
      for (const app of apps) {
        const connector = new FakeConnector(app.name);
        for (const p of people) connector.seed({ userName: p.userName, email: p.email, displayName: p.displayName, department: p.department, title: p.title });
        const synced = await syncApp(db, app, connector, { actor: 'operator:bench' });
        if (!synced.ok) throw new Error(synced.error);
      }
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const leaver = people[(r * 7919) % size]!;
        await upsertPeople(db, [{ ...leaver, active: false }], 'bench');
        const started = performance.now();
        const plan = await makePlan(db, apps, { actor: 'idp:bench', people: [leaver.id] });
        times.push(performance.now() - started);
        if (plan.changes.length !== appCount) throw new Error(`expected ${appCount} deactivations, planned ${plan.changes.length}`);
      }
      times.sort((a, b) => a - b);
      const started = performance.now();
      await makePlan(db, apps, { actor: 'operator:bench' });
      const whole = performance.now() - started;
      console.log(`${kind}, ${size.toLocaleString('en-US')} people × ${appCount} apps: one leaver's plan p50 ${percentile(times, 50).toFixed(1)} ms  p95 ${percentile(times, 95).toFixed(1)} ms (${runs} runs);  a plan for everyone ${(whole / 1000).toFixed(2)} s`);
    } finally {
      await db.close();
      await drop();
    }
  }
}
