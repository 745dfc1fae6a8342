// Benchmark: the planner on 100,000 people × 4 apps (pure: no database, no network).
//   node bench/plan.bench.ts [--people 100000] [--apps 4]
// Each app holds accounts for ~97% of the people, with some drift, some leavers still active and
// some orphans, so the plan has work of every kind. Prints plan time, changes and peak memory.
import { parseArgs } from 'node:util';
import { moduleFor } from '../src/connectors/modules.ts';
import type { RemoteAccount } from '../src/core/account.ts';
import { linkAccounts } from '../src/core/links.ts';
import { planChanges, type AppPlanInput } from '../src/core/planner.ts';
import { defaultPolicy } from '../src/core/policy.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '100000' }, apps: { type: 'string', default: '4' } } });
const size = Number(values.people);
const appCount = Number(values.apps);

const people = generateOrganisation({ size, seed: 3, domain: 'example.com' });
const types = ['scim', 'zscaler', 'netskope', 'scim'] as const;
const apps: AppPlanInput[] = [];
for (let a = 0; a < appCount; a += 1) {
  const accounts: RemoteAccount[] = [];
  people.forEach((p, i) => {
    if ((i + a) % 33 === 0) return; // missing: a joiner
    accounts.push({
      remoteId: `${a}-${i}`,
      userName: p.userName,
      email: p.email,
      displayName: p.displayName,
      department: (i + a) % 50 === 0 ? 'Somewhere Else' : p.department,
      title: p.title,
      active: true,
      groups: [],
      raw: {},
    });
  });
  for (let o = 0; o < size / 200; o += 1) accounts.push({ remoteId: `${a}-orphan-${o}`, userName: `orphan${o}@example.com`, email: `orphan${o}@example.com`, active: true, groups: [], raw: {} });
  const type = types[a % types.length] ?? 'scim';
  const name = `app${a}-${type}`;
  apps.push({ name, type, policy: { ...defaultPolicy, approval: { ...defaultPolicy.approval, massChange: { share: 0.5, minimum: 5, withinMinutes: 60 } } }, capabilities: moduleFor(type).capabilities, preview: moduleFor(type).preview, accounts, links: linkAccounts(name, people, accounts, []).links });
}

global.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let peakHeap = heapBefore;
const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 5);
const started = performance.now();
const plan = planChanges({ people, apps });
const ms = performance.now() - started;
clearInterval(sampler);
peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);

const byKind = new Map<string, number>();
for (const c of plan.changes) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
console.log(`plan ${size.toLocaleString('en-US')} people × ${appCount} apps (${apps.reduce((n, a) => n + a.accounts.length, 0).toLocaleString('en-US')} accounts)`);
console.log(`  time           ${(ms / 1000).toFixed(2)} s`);
console.log(`  changes        ${plan.changes.length.toLocaleString('en-US')} (${[...byKind].map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`).join(', ')})`);
console.log(`  memory         heap ${mb(heapBefore)} MiB before, peak ${mb(peakHeap)} MiB while planning (+${mb(peakHeap - heapBefore)} MiB); rss ${mb(process.memoryUsage().rss)} MiB`);
