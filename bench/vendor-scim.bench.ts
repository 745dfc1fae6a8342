// Benchmark: RSA ID Plus (Unified Directory SCIM) and ZIA SCIM — what each connector costs the
// vendor's API, and how much of its rate limit it uses.
//   node bench/vendor-scim.bench.ts [--only rsa,zia-scim] [--skip-rate]
// The functions are exported for bench/connectors.bench.ts: rsaCounts, rsaRate, ziaScimCounts,
// ziaScimRate; each prints its lines and answers its figures (shortfalls: what missed a target).
//
// Part 1, requests (simulator limits off, no rate budget): list 10,000 users, onboard one person,
// offboard one (by the connector, and as the executor runs it), offboard 1,000, counted from the
// simulator's request log, beside the least the API allows (why, printed beside it).
//
// Part 2, rate use: the simulator enforces the limit, the connector spends a RateBudget with the
// same rule, four workers share one connector. Printed: the share of the allowed rate used (the
// least time the limit allows for the requests admitted, over the time they took), the 429s, and
// the operations lost (intended minus what the simulator holds). Targets: ≥ 90 %, 0 lost.
// ZIA SCIM documents 5 requests a second. RSA documents none: the run gives the simulator a
// tenant limit (20 a second, 429 with `Retry-After: 2 seconds`) and the connector that same limit
// as configured (rsaRateRules paces evenly, 5 % under it), then runs once more with no budget at
// all, pacing by the 429s alone (shown, not a target).
import { parseArgs } from 'node:util';
import { Secret } from '../src/config/secret.ts';
import type { Connector } from '../src/connectors/connector.ts';
import { RateBudget, type RateRule } from '../src/connectors/http/rate-budget.ts';
import { createRsaConnector, rsaRateRules } from '../src/connectors/rsa/index.ts';
import { createZiaScimConnector, ziaScimManifest, ziaScimRateRules } from '../src/connectors/zscaler-scim/index.ts';
import type { Change } from '../src/core/plan.ts';
import { runChange } from '../src/engine/change-runner.ts';
import { startRsaSimulator, type RsaRateLimit } from '../simulators/rsa/index.ts';
import { generateUsers, type ScimRateLimit } from '../simulators/scim/index.ts';
import { startZiaScimSimulator } from '../simulators/zscaler-scim/index.ts';
import { countLine as printCount, counted, fmt, pad, requestShape, type CountFigure, type Logged } from './report.ts';
export type { CountFigure } from './report.ts';

const USERS = 10_000;
const LEAVERS = 1_000;
const WORKERS = 4;

/** One rate run: the share of the binding limit used, 429s, operations lost. */
export interface RateFigure {
  vendor: string;
  workload: string;
  share: number;
  refused: number;
  lost: number;
  /** Whether this run is held to the target (≥ 90 %, 0 lost). */
  target: boolean;
}


const shape = (r: Logged) => requestShape(r, [/^\/scim\/v2\/[^/]+/, /^\/[^/]+\/[^/]+\/scim/], false);
const countLine = (vendor: string, job: string, requests: readonly Logged[], minimum: number, why: string): CountFigure => printCount(vendor, job, requests, minimum, why, shape);

async function drain<T>(pages: AsyncIterable<{ accounts: T[] }>): Promise<number> {
  let n = 0;
  for await (const page of pages) n += page.accounts.length;
  return n;
}

/** A leaver as the executor carries it out: read first, write what is missing, read back. */
async function viaEngine(connector: Connector, kind: 'deactivate' | 'delete', remoteId: string): Promise<void> {
  const change: Change = { id: `${connector.appName}/${kind}/leaver`, app: connector.appName, kind, subject: 'leaver', remoteId, reason: 'benchmark', risk: 'low', approval: [], requests: [] };
  const outcome = await runChange({ connector, linkedRemoteId: () => Promise.resolve(undefined), snapshot: () => Promise.resolve() }, change);
  if (outcome.alreadyDone) throw new Error(`${connector.appName}: the leaver was already done`);
}

async function drive(total: number, deadlineMs: number, op: (i: number) => Promise<unknown>): Promise<{ started: number; failed: number; reasons: string[] }> {
  const stopAt = performance.now() + deadlineMs;
  let next = 0;
  let failed = 0;
  const reasons: string[] = [];
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (next < total && performance.now() < stopAt) {
        const i = next;
        next += 1;
        try {
          await op(i);
        } catch (error) {
          failed += 1;
          if (reasons.length < 3) reasons.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  return { started: next, failed, reasons };
}

function per(rule: RateRule): string {
  const unit = rule.windowMs === 1000 ? 's' : rule.windowMs === 60_000 ? 'min' : `${rule.windowMs} ms`;
  return `${fmt(rule.limit)}/${unit}`;
}

/** Share of `rule` used by `admitted` (a fixed window admits n no sooner than W × (ceil(n / limit) − 1) after the first). */
function rateLine(vendor: string, workload: string, limitOf: string, rule: RateRule, admitted: readonly Logged[], refused: number, intended: number, held: number, failed: number, reasons: string[], target: boolean): RateFigure {
  const n = admitted.length;
  const first = admitted[0];
  const last = admitted.at(-1);
  const lost = intended - held;
  const spanMs = first && last ? last.at - first.at : 0;
  const minMs = rule.windowMs * (Math.ceil(n / rule.limit) - 1);
  const share = spanMs > 0 ? minMs / spanMs : n < 2 ? 0 : 1;
  const below = target && (share < 0.9 || lost !== 0);
  console.log(`${pad(vendor, 9)}rate, ${workload}: ${Math.round(share * 100)}% of the ${limitOf} ${per(rule)} limit, ${fmt(refused)} 429s, ${fmt(lost)} operations lost${below ? '  <-- BELOW TARGET' : target ? '' : '  (not a target)'}`);
  console.log(`${' '.repeat(9)}  ${fmt(n)} requests admitted in ${(spanMs / 1000).toFixed(1)} s (the limit admits them in ${(minMs / 1000).toFixed(1)} s); ${fmt(intended)} operations intended, ${fmt(held)} held by the app${failed ? `, ${fmt(failed)} failed: ${reasons.join(' | ')}` : ''}`);
  return { vendor, workload, share, refused, lost, target };
}

// ---------------------------------------------------------------------------------------------
// RSA ID Plus
// ---------------------------------------------------------------------------------------------

const RSA_SECRET = 'bench-rsa-client-secret';

async function rsaApp(rateLimit?: RsaRateLimit, budget?: RateBudget) {
  const sim = await startRsaSimulator({ clientSecret: RSA_SECRET, rateLimit });
  sim.seedUsers(generateUsers(USERS, { activeRatio: 1 }));
  const connector = createRsaConnector({ appName: 'rsa', baseUrl: sim.baseUrl, clientSecret: new Secret(RSA_SECRET, 'bench'), budget });
  return { sim, connector, log: () => sim.scim.requests.entries as readonly Logged[] };
}

export async function rsaCounts(): Promise<CountFigure[]> {
  const { sim, connector, log } = await rsaApp();
  const ids = sim.scim.store.listUsers().map((u) => u.id);
  const figures: CountFigure[] = [];
  const listed = await counted(log, async () => {
    if ((await drain(connector.listAccounts())) !== USERS) throw new Error('RSA list missed users');
  });
  figures.push(countLine('RSA', 'list 10,000', listed, Math.ceil(USERS / 100), 'ceil(10,000 / 100) pages = 100; the page size is a manifest fact, so no discovery read'));
  const joined = await counted(log, () => connector.createAccount({ userName: 'joiner@example.com', email: 'joiner@example.com', givenName: 'Jo', familyName: 'Iner', mobilePhone: '+1 555 0100' }));
  figures.push(countLine('RSA', 'onboard 1', joined, 1, '1 POST /Users with userName and the work email (201 with the user)'));
  const left = await counted(log, () => connector.offboard(ids[0] ?? ''));
  figures.push(countLine('RSA', 'offboard 1', left, 1, '1 PATCH active=false (200 with the whole user: it is the read-back)'));
  const leftEngine = await counted(log, () => viaEngine(connector, 'deactivate', ids.at(-1) ?? ''));
  figures.push(countLine('RSA', 'offboard 1, engine retry', leftEngine, 1, 'a retry or a resume reads the app first (idempotency, a fresh snapshot); a first attempt sends only the write (see "through the engine")'));
  const many = await counted(log, async () => {
    for (const id of ids.slice(1, 1 + LEAVERS)) await connector.offboard(id);
  });
  figures.push(countLine('RSA', 'offboard 1,000', many, LEAVERS, '1,000 PATCHes: no bulk endpoint, one request a person'));
  const [local = ''] = sim.seedUsers([{ userName: 'local@example.com', emails: [{ value: 'local@example.com', type: 'work' }] }], 'Local');
  const refused = await counted(log, () => connector.deleteAccount(local).catch(() => undefined));
  figures.push(countLine('RSA', 'delete 1 (Local source)', refused, 1, '1 DELETE, answered 405 and not retried: a Local identity source\'s users are deleted in the console'));
  await connector.close();
  await sim.close();
  return figures;
}

export async function rsaRate(): Promise<RateFigure[]> {
  const figures: RateFigure[] = [];
  // No published limit: a tenant limit of 20 a second, configured for the connector as well.
  const limit = { requests: 20, perSeconds: 1 };
  const rule: RateRule = { limit: limit.requests, windowMs: limit.perSeconds * 1000 };
  for (const paced of [true, false]) {
    const { sim, connector, log } = await rsaApp({ requests: limit.requests, perMs: limit.perSeconds * 1000 }, paced ? new RateBudget({ rules: rsaRateRules(limit) }) : undefined);
    const ids = sim.scim.store.listUsers().map((u) => u.id);
    // 20 windows and one request: what a fixed window admits in 20 s, an even pace sends in 20 s too.
    const total = 20 * limit.requests + 1;
    const run = await drive(total, 60_000, (i) => connector.offboard(ids[i] ?? ''));
    const entries = log();
    const held = sim.scim.store.listUsers().filter((u) => u.attrs['active'] === false).length;
    await connector.close();
    await sim.close();
    figures.push(
      rateLine('RSA', `leavers (PATCH), ${paced ? 'budget as configured' : 'no budget: 429s only'}`, 'tenant', rule, entries.filter((r) => r.status !== 429), entries.filter((r) => r.status === 429).length, run.started, held, run.failed, run.reasons, paced),
    );
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------
// ZIA SCIM
// ---------------------------------------------------------------------------------------------

const ZIA_TOKEN = 'bench-zia-scim-token';

async function ziaScimApp(rateLimit: ScimRateLimit | undefined, budget: RateBudget | false) {
  const sim = await startZiaScimSimulator({ scim: { token: ZIA_TOKEN, rateLimit } });
  sim.scim.store.seedUsers(generateUsers(USERS, { activeRatio: 1 }));
  sim.scim.store.seedGroups([{ displayName: 'Contractors' }]);
  const connector = createZiaScimConnector({ appName: 'zia-scim', baseUrl: sim.baseUrl, token: new Secret(ZIA_TOKEN, 'bench'), budget });
  return { sim, connector, log: () => sim.scim.requests.entries as readonly Logged[] };
}

export async function ziaScimCounts(): Promise<CountFigure[]> {
  const { sim, connector, log } = await ziaScimApp(undefined, false);
  const ids = sim.scim.store.listUsers().map((u) => u.id);
  const max = ziaScimManifest.paging.maxPageSize;
  const figures: CountFigure[] = [];
  const listed = await counted(log, async () => {
    if ((await drain(connector.listAccounts())) !== USERS) throw new Error('ZIA SCIM list missed users');
  });
  figures.push(countLine('ZIA SCIM', 'list 10,000', listed, Math.ceil(USERS / max), `ceil(10,000 / ${fmt(max)}) pages = ${Math.ceil(USERS / max)}; the page size is a manifest fact, so no discovery read; totalResults ends it (no empty page)`));
  const joined = await counted(log, () => connector.createAccount({ userName: 'joiner@example.com', email: 'joiner@example.com', displayName: 'Jo Iner', department: 'Sales' }));
  figures.push(countLine('ZIA SCIM', 'onboard 1', joined, 1, '1 POST /Users (201 with the user)'));
  const grouped = await counted(log, () => connector.addToGroup(ids[0] ?? '', 'Contractors'));
  figures.push(countLine('ZIA SCIM', 'add 1 to a group', grouped, 1, '1 PATCH /Groups/{id} add members; roster finds the group id by displayName eq (+1, once per connector)'));
  const left = await counted(log, () => connector.setActive(ids[1] ?? '', false));
  figures.push(countLine('ZIA SCIM', 'offboard 1', left, 1, '1 PATCH active=false (200 with the user)'));
  const leftEngine = await counted(log, () => viaEngine(connector, 'deactivate', ids.at(-1) ?? ''));
  figures.push(countLine('ZIA SCIM', 'offboard 1, engine retry', leftEngine, 1, 'a retry or a resume reads the app first (idempotency, a fresh snapshot); a first attempt sends only the write (see "through the engine")'));
  const many = await counted(log, async () => {
    for (const id of ids.slice(2, 2 + LEAVERS)) await connector.setActive(id, false);
  });
  figures.push(countLine('ZIA SCIM', 'offboard 1,000', many, LEAVERS, '1,000 PATCHes: /Bulk is not offered, one request a person'));
  await connector.close();
  await sim.close();
  return figures;
}

export async function ziaScimRate(): Promise<RateFigure[]> {
  // 5 a second, documented; real time, 15 windows of deactivations.
  const rule = ziaScimRateRules[0] as RateRule;
  const { sim, connector, log } = await ziaScimApp({ requests: rule.limit, perMs: rule.windowMs, retryAfter: 'seconds' }, new RateBudget({ rules: ziaScimRateRules }));
  const ids = sim.scim.store.listUsers().map((u) => u.id);
  const total = 15 * rule.limit;
  const run = await drive(total, 40_000, (i) => connector.setActive(ids[i] ?? '', false));
  const entries = log();
  const held = sim.scim.store.listUsers().filter((u) => u.attrs['active'] === false).length;
  await connector.close();
  await sim.close();
  return [rateLine('ZIA SCIM', 'leavers (PATCH)', 'documented', rule, entries.filter((r) => r.status !== 429), entries.filter((r) => r.status === 429).length, run.started, held, run.failed, run.reasons, true)];
}

/** Every figure, printed; answers what missed a target. */
export async function vendorScimBench(options: { only?: readonly string[]; skipRate?: boolean } = {}): Promise<string[]> {
  const only = new Set(options.only ?? ['rsa', 'zia-scim']);
  const counts: CountFigure[] = [];
  const rates: RateFigure[] = [];
  if (only.has('rsa')) counts.push(...(await rsaCounts()));
  if (only.has('zia-scim')) counts.push(...(await ziaScimCounts()));
  if (!options.skipRate) {
    console.log('');
    if (only.has('rsa')) rates.push(...(await rsaRate()));
    if (only.has('zia-scim')) rates.push(...(await ziaScimRate()));
  }
  return [
    ...counts.filter((f) => f.made < f.minimum).map((f) => `${f.vendor} ${f.job}: fewer requests than the minimum`),
    ...rates.filter((f) => f.target && (f.share < 0.9 || f.lost !== 0)).map((f) => `${f.vendor} rate, ${f.workload}: ${Math.round(f.share * 100)}%, ${f.lost} lost`),
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { only: { type: 'string', default: 'rsa,zia-scim' }, 'skip-rate': { type: 'boolean', default: false } } });
  const started = performance.now();
  console.log(`RSA ID Plus and ZIA SCIM: requests per job (simulator limits off), then rate use (${WORKERS} workers share one connector and its budget)`);
  console.log('');
  const shortfalls = await vendorScimBench({ only: values.only.split(',').map((s) => s.trim().toLowerCase()), skipRate: values['skip-rate'] });
  console.log('');
  console.log(`${shortfalls.length === 0 ? 'all rate figures on target (≥ 90%, 0 lost)' : `below target: ${shortfalls.join('; ')}`} — ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
