// Benchmark: what each connector costs the vendor's API, and how much of its rate limit it uses.
//   node bench/connectors.bench.ts [--only scim,zia,netskope,umbrella,rsa,zia-scim] [--skip-rate] [--engine-size 100]
//
// Part 1, requests (simulator limits off, no rate budget): for generic SCIM, ZIA and Netskope,
// the requests made to list 10,000 users, onboard one person, offboard one, and offboard 1,000,
// counted from the simulator's own request log, beside the least the vendor's API allows. How each
// minimum follows from the API's facts is written next to it below and printed with it.
//
// Part 2, rate use: the simulator enforces the vendor's documented limits, time-scaled (a window
// of W lasts W × timeScale), and the connector spends a RateBudget with the same rules and the same
// timeScale. Four workers share the one connector (as workers share a credential's budget) and run
// a sustained workload of writes. Printed: the share of the allowed rate used on the binding limit,
// the 429s received, and the operations lost (writes intended minus writes the simulator holds).
// Targets: share ≥ 90 %, 0 lost.
//
// "Share" is the least time the limit allows for the requests made, over the time they took: a
// fixed window of `limit` per W admits n requests no sooner than W × (ceil(n / limit) − 1) after
// the first, so share = that / (last admitted − first admitted), measured on the simulator's clock.
import { parseArgs } from 'node:util';
import { Secret } from '../src/config/secret.ts';
import type { Connector } from '../src/connectors/connector.ts';
import { bearerAuth, headerAuth } from '../src/connectors/http/auth.ts';
import { RateBudget, type RateRule } from '../src/connectors/http/rate-budget.ts';
import { NetskopeConnector } from '../src/connectors/netskope/connector.ts';
import { netskopeManifest } from '../src/connectors/netskope/manifest.ts';
import { ScimConnector } from '../src/connectors/scim/connector.ts';
import { ziaRateRules, ZscalerConnector } from '../src/connectors/zscaler/connector.ts';
import { zscalerManifest } from '../src/connectors/zscaler/manifest.ts';
import { ZiaSessionAuth } from '../src/connectors/zscaler/session-auth.ts';
import type { Change } from '../src/core/plan.ts';
import { runChange } from '../src/engine/change-runner.ts';
import { engineJobFigures } from './engine-jobs.ts';
import { countLine as printCount, counted, fmt, pad, requestShape, type Logged } from './report.ts';
import { startNetskopeSimulator, type RunningNetskopeSimulator } from '../simulators/netskope/index.ts';
import { generateUsers, startScimSimulator, type RunningScimSimulator, type ScimRateLimit } from '../simulators/scim/index.ts';
import { DEFAULT_CREDENTIALS, makeSeedUsers, startZiaSimulator, type RunningZiaSimulator, type ZiaSimulatorOptions } from '../simulators/zscaler/index.ts';
import { umbrellaCounts, umbrellaRate } from './umbrella.ts';
import { vendorScimBench } from './vendor-scim.bench.ts';

const { values } = parseArgs({ options: { only: { type: 'string', default: 'scim,zia,netskope,umbrella,rsa,zia-scim' }, 'skip-rate': { type: 'boolean', default: false }, 'engine-size': { type: 'string', default: '100' } } });
const only = new Set(values.only.split(',').map((s) => s.trim().toLowerCase()));

const USERS = 10_000;
const LEAVERS = 1_000;
const WORKERS = 4;
const SCIM_PAGE = 100;

const shortfalls: string[] = [];

/** `METHOD /path` with ids as {id} and the API prefix dropped, for showing what was sent. */
const shape = (r: Logged) => requestShape(r, [/^\/(?:api\/v2\/scim|scim\/v2|api\/v1)/]);
const countLine = (vendor: string, job: string, requests: readonly Logged[], minimum: number, why: string) => void printCount(vendor, job, requests, minimum, why, shape);

async function drain<T>(pages: AsyncIterable<{ accounts: T[] }>): Promise<number> {
  let n = 0;
  for await (const page of pages) n += page.accounts.length;
  return n;
}

/**
 * A leaver as the executor carries it out (runChange: read first, write only what is missing,
 * read back to verify), for comparing with the connector call alone.
 */
async function viaEngine(connector: Connector, kind: 'deactivate' | 'delete', remoteId: string): Promise<void> {
  const change: Change = { id: `${connector.appName}/${kind}/leaver`, app: connector.appName, kind, subject: 'leaver', remoteId, reason: 'benchmark', risk: 'low', approval: [], requests: [] };
  const outcome = await runChange({ connector, linkedRemoteId: () => Promise.resolve(undefined), snapshot: () => Promise.resolve() }, change);
  if (outcome.alreadyDone) throw new Error(`${connector.appName}: the leaver was already done`);
}

/**
 * Runs `total` operations on `workers` concurrent workers; no new one starts after `deadlineMs`
 * (so a budget that paces far too slowly still ends in time). Answers how many were started and
 * how many failed, with the first few reasons.
 */
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

interface RateFigures {
  /** Admitted requests of the limited kind, in arrival order. */
  admitted: readonly Logged[];
  /** Every 429 answered during the run. */
  refused: number;
  rules: readonly RateRule[];
  timeScale: number;
  intended: number;
  held: number;
  failed: number;
  reasons: string[];
}

/** The rule that needs the most time for n requests, the time it needs (real ms), and its words. */
function binding(n: number, rules: readonly RateRule[], timeScale: number): { rule: RateRule; minMs: number } {
  let best: { rule: RateRule; minMs: number } | undefined;
  for (const rule of rules) {
    const minMs = rule.windowMs * timeScale * (Math.ceil(n / rule.limit) - 1);
    if (!best || minMs > best.minMs) best = { rule, minMs };
  }
  if (!best) throw new Error('no rate rule');
  return best;
}

function per(rule: RateRule): string {
  const unit = rule.windowMs === 1000 ? 's' : rule.windowMs === 60_000 ? 'min' : rule.windowMs === 3_600_000 ? 'h' : `${rule.windowMs} ms`;
  return `${fmt(rule.limit)}/${unit}`;
}

function rateLine(vendor: string, workload: string, limitOf: string, f: RateFigures): void {
  const n = f.admitted.length;
  const first = f.admitted[0];
  const last = f.admitted.at(-1);
  const lost = f.intended - f.held;
  const scaled = f.timeScale === 1 ? 'real time' : `time-scaled ×${fmt(Math.round(1 / f.timeScale))}`;
  if (!first || !last || n < 2) {
    console.log(`${pad(vendor, 9)}rate, ${workload}, ${scaled}: too few requests to measure (${n})`);
    shortfalls.push(`${vendor} rate, ${workload}: not measured`);
    return;
  }
  const spanMs = last.at - first.at;
  const { rule, minMs } = binding(n, f.rules, f.timeScale);
  const share = spanMs > 0 ? minMs / spanMs : 1;
  const below = share < 0.9 || lost !== 0;
  console.log(`${pad(vendor, 9)}rate, ${workload}, ${scaled}: ${Math.round(share * 100)}% of the ${limitOf} ${per(rule)} limit, ${fmt(f.refused)} 429s, ${fmt(lost)} operations lost${below ? '  <-- BELOW TARGET' : ''}`);
  const window = `${fmt(rule.limit)} per ${fmt(Math.round(rule.windowMs * f.timeScale))} ms real`;
  console.log(
    `${' '.repeat(9)}  ${fmt(n)} requests admitted in ${(spanMs / 1000).toFixed(1)} s (the limit, ${window}, admits them in ${(minMs / 1000).toFixed(1)} s); ${fmt(f.intended)} operations intended, ${fmt(f.held)} held by the app${f.failed ? `, ${fmt(f.failed)} failed: ${f.reasons.join(' | ')}` : ''}`,
  );
  if (below) shortfalls.push(`${vendor} rate, ${workload}, ${scaled}: ${Math.round(share * 100)}%, ${fmt(lost)} lost`);
}

// ---------------------------------------------------------------------------------------------
// Generic SCIM 2.0
// ---------------------------------------------------------------------------------------------

async function scimApp(rateLimit?: ScimRateLimit, budget?: RateBudget): Promise<{ sim: RunningScimSimulator; connector: ScimConnector; log: () => Logged[] }> {
  const sim = await startScimSimulator({ maxPageSize: SCIM_PAGE, ...(rateLimit ? { rateLimit } : {}) });
  sim.store.seedUsers(generateUsers(USERS, { activeRatio: 1 }));
  const connector = new ScimConnector({ appName: 'scim', baseUrl: sim.baseUrl, auth: bearerAuth(new Secret(sim.settings.token, 'bench')), budget });
  return { sim, connector, log: () => sim.requests.entries };
}

async function scimCounts(): Promise<void> {
  const { sim, connector, log } = await scimApp();
  const ids = sim.store.listUsers().map((u) => u.id);
  const listed = await counted(log, async () => {
    if ((await drain(connector.listAccounts())) !== USERS) throw new Error('SCIM list missed users');
  });
  // Pages of at most maxPageSize (100): ceil(10,000 / 100) reads. Learning that size from
  // /ServiceProviderConfig is one more, unless the page size is configured.
  countLine('SCIM', 'list 10,000', listed, Math.ceil(USERS / SCIM_PAGE), `ceil(10,000 / ${SCIM_PAGE}) pages = ${Math.ceil(USERS / SCIM_PAGE)}; the page size comes from /ServiceProviderConfig (1 read) unless configured`);
  const joined = await counted(log, () => connector.createAccount({ userName: 'joiner@example.com', email: 'joiner@example.com', givenName: 'Jo', familyName: 'Iner', active: true }));
  // One POST /Users; the answer is the created user (no read needed).
  countLine('SCIM', 'onboard 1', joined, 1, '1 POST /Users (201 with the user)');
  const left = await counted(log, () => connector.setActive(ids[0] ?? '', false));
  // One PATCH active=false; this app answers 200 with the user, which is its read-back.
  countLine('SCIM', 'offboard 1', left, 1, '1 PATCH active=false (answers 200 with the user: no read-back needed)');
  const leftEngine = await counted(log, () => viaEngine(connector, 'deactivate', ids.at(-1) ?? ''));
  countLine('SCIM', 'offboard 1, engine retry', leftEngine, 1, 'a retry or a resume reads the app first (idempotency, a fresh snapshot); a first attempt sends only the write (see "through the engine")');
  const many = await counted(log, async () => {
    for (const id of ids.slice(1, 1 + LEAVERS)) await connector.setActive(id, false);
  });
  // SCIM /Bulk is optional (this app answers 501), so one PATCH per person.
  countLine('SCIM', 'offboard 1,000', many, LEAVERS, '1,000 PATCHes: /Bulk is optional in SCIM (501 here), so one request a person');
  await connector.close();
  await sim.close();
}

async function scimRate(): Promise<void> {
  // No vendor documents a generic SCIM app's limit: 50 a second, enforced by the simulator and
  // given to the budget. Real time (a 1 s window needs no scaling); 15 windows of deactivations.
  const limit: ScimRateLimit = { requests: 50, perMs: 1000 };
  const rules: RateRule[] = [{ limit: limit.requests, windowMs: limit.perMs }];
  const budget = new RateBudget({ rules });
  const { sim, connector, log } = await scimApp(limit, budget);
  const ids = sim.store.listUsers().map((u) => u.id);
  const total = 750;
  const run = await drive(total, 40_000, (i) => connector.setActive(ids[i] ?? '', false));
  const entries = log();
  const held = sim.store.listUsers().filter((u) => u.attrs['active'] === false).length;
  await connector.close();
  await sim.close();
  rateLine('SCIM', 'leavers (PATCH)', 'configured', {
    admitted: entries.filter((r) => r.status !== 429),
    refused: entries.filter((r) => r.status === 429).length,
    rules,
    timeScale: 1,
    intended: run.started,
    held,
    failed: run.failed,
    reasons: run.reasons,
  });
}

// ---------------------------------------------------------------------------------------------
// Zscaler Internet Access
// ---------------------------------------------------------------------------------------------

async function ziaApp(options: ZiaSimulatorOptions, budget?: RateBudget, disableLeavers = false): Promise<{ sim: RunningZiaSimulator; connector: ZscalerConnector; log: () => Logged[] }> {
  const sim = await startZiaSimulator(options);
  const auth = new ZiaSessionAuth({
    appName: 'zia',
    baseUrl: sim.baseUrl,
    username: DEFAULT_CREDENTIALS.username,
    password: new Secret(DEFAULT_CREDENTIALS.password, 'bench'),
    apiKey: new Secret(DEFAULT_CREDENTIALS.apiKey, 'bench'),
  });
  const connector = new ZscalerConnector({ appName: 'zia', baseUrl: sim.baseUrl, auth, defaultDepartment: 'Engineering', defaultGroups: ['Employees'], budget, disableLeavers });
  return { sim, connector, log: () => sim.requests };
}

/** The requests one fresh ZIA connector makes for `run`, from login to logout (close() activates). */
async function ziaCount(users: number, run: (c: ZscalerConnector, sim: RunningZiaSimulator) => Promise<unknown>, disableLeavers = false): Promise<{ requests: Logged[]; sim: RunningZiaSimulator }> {
  const { sim, connector, log } = await ziaApp({ rateLimits: false, users: makeSeedUsers(users) }, undefined, disableLeavers);
  const requests = await counted(log, async () => {
    await run(connector, sim);
    await connector.close();
  });
  await sim.close();
  return { requests, sim };
}

async function ziaCounts(): Promise<void> {
  const max = zscalerManifest.paging.maxPageSize;
  const idsOf = (sim: RunningZiaSimulator, n: number) => sim.state.draftUsers().slice(0, n).map((u) => String(u.id));

  const list = await ziaCount(USERS, async (c) => {
    if ((await drain(c.listAccounts())) !== USERS) throw new Error('ZIA list missed users');
  });
  // A session: login + logout. Pages of up to 10,000 with no total: a full page cannot tell the
  // end, so 10,000 users take the full page and one more (empty) read.
  countLine('ZIA', 'list 10,000', list.requests, 4, `login + GET /users (${fmt(max)}, a full page) + GET /users (empty: the list has no total, so only a short page ends it) + logout`);

  const onboard = await ziaCount(0, (c) => c.createAccount({ userName: 'joiner@example.com', email: 'joiner@example.com', displayName: 'Jo Iner', department: 'Sales' }));
  // POST /users needs the department's and groups' ids; with them known, login + POST + activate
  // + a status check that it went live + logout. Names→ids are two list reads (once per connector),
  // each a page and the empty page that proves a short page was not a clamped one.
  countLine('ZIA', 'onboard 1', onboard.requests, 5, 'login + POST /users + POST /status/activate + GET /status + logout, with the department and group ids known; roster looks them up by name (GET /departments, GET /groups, once per connector, each with the empty page that ends it)');

  // ZIA documents no soft-delete: a leaver is deleted (bulkDelete, a POST: 1/s, 400/h, rather
  // than DELETE: 1/min, 4/h); the delete is staged too.
  const deleted = await ziaCount(10, (c, sim) => c.deleteAccount(idsOf(sim, 1)[0] ?? ''));
  countLine('ZIA', 'offboard 1 (leaver: delete)', deleted.requests, 5, 'login + POST /users/bulkDelete + activate + status + logout; roster adds a snapshot read before and a read-back after (GET /users/{id} each)');
  const deletedEngine = await ziaCount(10, (c, sim) => viaEngine(c, 'delete', idsOf(sim, 1)[0] ?? ''));
  countLine('ZIA', 'offboard 1 (delete), engine retry', deletedEngine.requests, 5, 'a retry or a resume reads the app first (idempotency, a fresh snapshot); a first attempt sends only the write (see "through the engine")');

  // Opt-in (disableLeavers): PUT disabled:true. PUT is a full replace: the record must be read first.
  const disabled = await ziaCount(10, (c, sim) => c.setActive(idsOf(sim, 1)[0] ?? '', false), true);
  countLine('ZIA', 'offboard 1 (opt-in disable)', disabled.requests, 6, 'login + GET /users/{id} (PUT is a full replace: read the record to keep it) + PUT disabled=true + activate + status + logout');
  const disabledEngine = await ziaCount(10, (c, sim) => viaEngine(c, 'deactivate', idsOf(sim, 1)[0] ?? ''), true);
  countLine('ZIA', 'offboard 1 (disable), engine retry', disabledEngine.requests, 6, 'a retry or a resume reads the app first (idempotency, a fresh snapshot); a first attempt sends only the write (see "through the engine")');

  const many = await ziaCount(USERS, (c, sim) => c.deleteAccounts(idsOf(sim, LEAVERS)));
  // bulkDelete takes ≤ 500 ids: ceil(1,000 / 500) = 2 calls.
  countLine('ZIA', 'offboard 1,000', many.requests, 2 + Math.ceil(LEAVERS / zscalerManifest.bulkDeleteMax) + 2, `login + ${Math.ceil(LEAVERS / zscalerManifest.bulkDeleteMax)} POST /users/bulkDelete (≤ ${zscalerManifest.bulkDeleteMax} ids each) + activate + status + logout; roster adds a list read for snapshots and one to verify, to its end (bulkDelete skips unknown ids silently)`);
}

/** Sustained joiners (POST /users) against ZIA's documented limits; activation and logout at close. */
async function ziaRate(label: string, timeScale: number, total: number, deadlineMs: number, makeBudget: (rules: readonly RateRule[], timeScale: number) => RateBudget): Promise<void> {
  const { sim, connector, log } = await ziaApp({ timeScale }, makeBudget(ziaRateRules, timeScale));
  const run = await drive(total, deadlineMs, (i) => connector.createAccount({ userName: `joiner${i}@example.com`, email: `joiner${i}@example.com`, displayName: `Joiner ${i}` }));
  let closeFailure = '';
  await connector.close().catch((error: Error) => (closeFailure = error.message));
  const entries = log();
  const held = sim.state.liveUsers().length;
  await sim.close();
  const creates = entries.filter((r) => r.method === 'POST' && r.path.endsWith('/users'));
  rateLine('ZIA', label, 'documented POST', {
    admitted: creates.filter((r) => r.status !== 429),
    refused: entries.filter((r) => r.status === 429).length,
    rules: ziaRateRules.filter((r) => r.methods?.includes('POST')),
    timeScale,
    intended: run.started,
    held,
    failed: run.failed,
    reasons: closeFailure ? [...run.reasons, `close: ${closeFailure}`] : run.reasons,
  });
}


// ---------------------------------------------------------------------------------------------
// Netskope
// ---------------------------------------------------------------------------------------------

const NETSKOPE_TOKEN = 'bench-netskope-scim-token';

async function netskopeApp(rateLimit: ScimRateLimit | undefined, budget?: RateBudget): Promise<{ sim: RunningNetskopeSimulator; connector: NetskopeConnector; log: () => Logged[] }> {
  const sim = await startNetskopeSimulator({ scimToken: NETSKOPE_TOKEN, rateLimit, auditScimWrites: false });
  sim.scim.store.seedUsers(generateUsers(USERS, { activeRatio: 1 }));
  const connector = new NetskopeConnector({ appName: 'netskope', baseUrl: sim.baseUrl, auth: headerAuth(netskopeManifest.auth.header, new Secret(NETSKOPE_TOKEN, 'bench')), budget });
  return { sim, connector, log: () => sim.scim.requests.entries };
}

async function netskopeCounts(): Promise<void> {
  const { sim, connector, log } = await netskopeApp(undefined);
  const users = sim.scim.store.listUsers();
  const listed = await counted(log, async () => {
    if ((await drain(connector.listAccounts())) !== USERS) throw new Error('Netskope list missed users');
  });
  // 100 a page: 100 reads. Users carry no groups, so groups-with-members take ≥ 1 more read
  // (one per 100 groups); the page size from /ServiceProviderConfig is one more unless configured.
  countLine('Netskope', 'list 10,000', listed, Math.ceil(USERS / SCIM_PAGE) + 1, `ceil(10,000 / ${SCIM_PAGE}) pages + 1 GET /Groups with members (users carry no groups) = ${Math.ceil(USERS / SCIM_PAGE) + 1}; +1 /ServiceProviderConfig to learn the page size unless configured`);
  const joined = await counted(log, () => connector.createAccount({ userName: 'joiner@example.com', email: 'joiner@example.com', givenName: 'Jo', familyName: 'Iner', active: true }));
  countLine('Netskope', 'onboard 1', joined, 1, '1 POST /Users (201 with the user)');
  // The leaver as roster knows it after a sync: by id. PATCH answers 204 with no body, so seeing
  // the result takes a read; by userName only, resolving the id (filter userName eq) is one more.
  const left = await counted(log, () => connector.setActive(users[0]?.id ?? '', false));
  countLine('Netskope', 'offboard 1', left, 1, '1 PATCH active=false by id; it answers 204 with no body, so roster reads the user back (+1); by userName, +1 to resolve the id');
  const leftEngine = await counted(log, () => viaEngine(connector, 'deactivate', users.at(-1)?.id ?? ''));
  countLine('Netskope', 'offboard 1, engine retry', leftEngine, 1, 'a retry or a resume reads the app first (idempotency, a fresh snapshot); a first attempt sends only the write (see "through the engine")');
  const many = await counted(log, async () => {
    for (const u of users.slice(1, 1 + LEAVERS)) await connector.setActive(u.id, false);
  });
  countLine('Netskope', 'offboard 1,000', many, LEAVERS, '1,000 PATCHes: no bulk operations; each 204 is read back by roster (+1,000)');
  await connector.close();
  await sim.close();
}

async function netskopeRate(): Promise<void> {
  // 300 a minute per token, time-scaled ×6 (a 10 s window); 3 windows of deactivations, each a
  // PATCH and its read-back (both count: the limit is on every request of the token).
  const timeScale = 1 / 6;
  const rules: RateRule[] = [{ limit: netskopeManifest.rateLimit.requests, windowMs: netskopeManifest.rateLimit.perMs }];
  // The simulator shortens the window itself and tells waits in real seconds, so the budget gets the
  // shortened window unscaled (a time-scaled budget would shrink those real seconds once more).
  const budget = new RateBudget({ rules: rules.map((r) => ({ ...r, windowMs: r.windowMs * timeScale })) });
  const { sim, connector, log } = await netskopeApp({ requests: netskopeManifest.rateLimit.requests, perMs: netskopeManifest.rateLimit.perMs * timeScale, retryAfter: 'none' }, budget);
  const users = sim.scim.store.listUsers();
  const total = (3 * netskopeManifest.rateLimit.requests) / 2;
  const run = await drive(total, 60_000, (i) => connector.setActive(users[i]?.id ?? '', false));
  const entries = log();
  const held = sim.scim.store.listUsers().filter((u) => u.attrs['active'] === false).length;
  await connector.close();
  await sim.close();
  rateLine('Netskope', 'leavers (PATCH + read-back)', 'documented per-token', {
    admitted: entries.filter((r) => r.status !== 429),
    refused: entries.filter((r) => r.status === 429).length,
    rules,
    timeScale,
    intended: run.started,
    held,
    failed: run.failed,
    reasons: run.reasons,
  });
}

// ---------------------------------------------------------------------------------------------

const started = performance.now();
console.log(`connector benchmark: requests per job (simulator limits off), then rate use under each vendor's documented limits (${WORKERS} workers share one connector and its budget)`);
console.log('');
if (only.has('scim')) await scimCounts();
if (only.has('zia')) await ziaCounts();
if (only.has('netskope')) await netskopeCounts();
if (only.has('umbrella')) await umbrellaCounts();
{
  // Through the engine: sync → plan → apply on an embedded database, each job for a batch of people.
  const size = Number(values['engine-size']);
  console.log('');
  console.log(`through the engine (plan → apply, ${size} people a job; limits off), requests beside the API's minimum, target ≤ 1.2×:`);
  for (const f of await engineJobFigures(size, only)) {
    const ratio = f.requests / f.minimum;
    if (ratio > 1.2) shortfalls.push(`${f.vendor} engine ${f.job}: ${ratio.toFixed(2)}× the minimum`);
    console.log(`${pad(f.vendor, 9)}${pad(f.job, 34)}${pad(`${fmt(f.requests)} requests`, 16)}(minimum ${fmt(f.minimum)}, ${ratio.toFixed(2)}×)${ratio > 1.2 ? '  <-- ABOVE 1.2×' : ''}`);
    console.log(`${' '.repeat(9)}  minimum: ${f.why}`);
  }
}
if (!values['skip-rate']) {
  console.log('');
  if (only.has('scim')) await scimRate();
  if (only.has('zia')) {
    // POST 1/s and 400/h per session: ≤ 360 creates stay under the hourly window, so 1/s binds.
    await ziaRate('joiners (POST /users)', 1 / 20, 360, 15_000, (rules, timeScale) => new RateBudget({ rules, timeScale, headerScope: 'method' }));
    await ziaRate('joiners (POST /users)', 1, 15, 20_000, (rules, timeScale) => new RateBudget({ rules, timeScale, headerScope: 'method' }));
  }
  if (only.has('netskope')) await netskopeRate();
  // Umbrella v2 (v1 and SCIM document no limits): 1,400 leavers, about 2 hours of its budget.
  if (only.has('umbrella')) shortfalls.push(...(await umbrellaRate()));
}
// RSA ID Plus and ZIA SCIM (bench/vendor-scim.bench.ts): requests per job, then rate use.
if (only.has('rsa') || only.has('zia-scim')) {
  console.log('');
  shortfalls.push(...(await vendorScimBench({ only: [...only], skipRate: values['skip-rate'] })));
}
console.log('');
console.log(`${shortfalls.length === 0 ? 'all rate figures on target (≥ 90%, 0 lost)' : `below target: ${shortfalls.join('; ')}`} — ${((performance.now() - started) / 1000).toFixed(0)} s`);
