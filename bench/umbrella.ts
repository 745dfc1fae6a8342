// The Umbrella section of bench/connectors.bench.ts: requests per job on each of Umbrella's three
// APIs beside the least the API allows, and rate use on API v2 under its documented budget.
//   node bench/connectors.bench.ts --only umbrella
//
// Rate use: the simulator enforces 5/s, 14/min and 350/30 min per key as sliding windows,
// time-scaled; the connector spends a RateBudget with umbrellaV2RateRules at the same scale. Four
// workers share the connector and delete leavers. "Share" is the least time the three limits
// together allow for the requests made (computed by admitting each request as early as every
// window allows: bursts of 14 a minute until 350 in 30 minutes are spent) over the time they took.
import { Secret } from '../src/config/secret.ts';
import type { Connector } from '../src/connectors/connector.ts';
import { basicAuth, bearerAuth } from '../src/connectors/http/auth.ts';
import { RateBudget, type RateRule } from '../src/connectors/http/rate-budget.ts';
import { UmbrellaScimConnector, UmbrellaV1Connector, UmbrellaV2Connector, umbrellaManifest, umbrellaV2RateRules } from '../src/connectors/umbrella/index.ts';
import type { Change } from '../src/core/plan.ts';
import { runChange } from '../src/engine/change-runner.ts';
import { startUmbrellaSimulator, type RunningUmbrellaSimulator } from '../simulators/umbrella/index.ts';
import { countLine as printCount, counted as countRequests, fmt, pad, requestShape, type Logged } from './report.ts';

const USERS = 10_000;
const LEAVERS = 1_000;
const WORKERS = 4;
const ORG = 2_000_001;
const V1 = { key: 'bench-v1', secret: 'bench-v1-secret', kind: 'management' as const };
const V2 = { key: 'bench-v2', secret: 'bench-v2-secret', scopes: ['admin.users:read', 'admin.users:write', 'admin.roles:read'] };
const SCIM_TOKEN = 'bench-umbrella-scim';


const shape = (r: Logged) => requestShape(r, [/^\/identity\/v2\/scim/]).replace(/ \/v1\/organizations\/\d+/, ' /v1/organizations/{org}');
const countLine = (vendor: string, job: string, requests: readonly Logged[], minimum: number, why: string) => void printCount(vendor, job, requests, minimum, why, shape);
const counted = (sim: RunningUmbrellaSimulator, run: () => Promise<unknown>) => countRequests(() => sim.requests.entries, run);

async function drain(connector: Connector): Promise<number> {
  let n = 0;
  for await (const page of connector.listAccounts()) n += page.accounts.length;
  return n;
}

async function viaEngine(connector: Connector, kind: 'deactivate' | 'delete', remoteId: string): Promise<void> {
  const change: Change = { id: `${connector.appName}/${kind}/leaver`, app: connector.appName, kind, subject: 'leaver', remoteId, reason: 'benchmark', risk: 'low', approval: [], requests: [] };
  await runChange({ connector, linkedRemoteId: () => Promise.resolve(undefined), snapshot: () => Promise.resolve() }, change);
}

async function simulator(options: Parameters<typeof startUmbrellaSimulator>[0] = {}): Promise<RunningUmbrellaSimulator> {
  const sim = await startUmbrellaSimulator({ v1Keys: [V1], v2Keys: [V2], scimToken: SCIM_TOKEN, organizations: [{ id: ORG, name: 'Bench' }], v2Limits: [], tokenLimit: undefined, ...options });
  sim.seedUsers([{ email: 'admin@bench.example', name: 'Bench Admin', role: 'Full Admin' }, ...Array.from({ length: USERS - 1 }, (_, i) => ({ email: `user${i}@bench.example`, name: `User ${i}` }))]);
  sim.scim.scim.store.seedUsers(Array.from({ length: USERS }, (_, i) => ({ userName: `user${i}@bench.example`, displayName: `User ${i}`, active: true })));
  return sim;
}

const v2Connector = (sim: RunningUmbrellaSimulator, budget?: RateBudget) => new UmbrellaV2Connector({ appName: 'umbrella-v2', baseUrl: sim.v2BaseUrl, key: V2.key, secret: new Secret(V2.secret, 'bench'), budget });

/** Requests per job on each API (limits off). */
export async function umbrellaCounts(): Promise<void> {
  const sim = await simulator();
  const ids = sim.state.usersOf(ORG).slice(1).map((u) => String(u.id));
  const take = (() => {
    let next = 0;
    return (n: number) => ids.slice(next, (next += n));
  })();

  // ---- v1
  const v1 = new UmbrellaV1Connector({ appName: 'umbrella-v1', baseUrl: sim.v1BaseUrl, auth: basicAuth(V1.key, new Secret(V1.secret, 'bench')) });
  const v1Max = umbrellaManifest.v1.paging.maxPageSize;
  const v1List = await counted(sim, async () => {
    if ((await drain(v1)) !== USERS) throw new Error('Umbrella v1 list missed users');
  });
  countLine('Umb v1', 'list 10,000', v1List, USERS / v1Max + 1, `${fmt(USERS / v1Max)} pages of ${v1Max} + 1 (no total: a full last page needs an empty one to end); GET /organizations (+1) when the key sees one org and none is configured`);
  const v1Join = await counted(sim, () => v1.createAccount({ userName: 'joiner@bench.example', email: 'joiner@bench.example', displayName: 'Jo Iner', role: 'Read Only' }));
  countLine('Umb v1', 'onboard 1', v1Join, 1, '1 POST …/users; roster reads the roles once per connector (exact label) and, when the create body form is not configured, learns it from the users it has read');
  const v1Leave = await counted(sim, () => v1.deleteAccount(take(1)[0] ?? ''));
  countLine('Umb v1', 'offboard 1 (delete)', v1Leave, 1, '1 DELETE …/users/{id} (no deactivate in v1: a leaver is deleted)');
  const v1LeaveEngine = await counted(sim, () => viaEngine(v1, 'delete', take(1)[0] ?? ''));
  countLine('Umb v1', 'offboard 1 (delete), engine retry', v1LeaveEngine, 1, 'a retry or a resume reads the app first (idempotency, a fresh snapshot); a first attempt sends only the write (see "through the engine")');
  const v1Many = await counted(sim, async () => {
    for (const id of take(LEAVERS)) await v1.deleteAccount(id);
  });
  countLine('Umb v1', 'offboard 1,000', v1Many, LEAVERS, '1,000 DELETEs: no bulk delete');
  await v1.close();

  // ---- v2
  const v2 = v2Connector(sim);
  const v2Max = umbrellaManifest.v2.paging.maxPageSize;
  const remaining = sim.state.usersOf(ORG).length;
  const v2List = await counted(sim, async () => {
    if ((await drain(v2)) !== remaining) throw new Error('Umbrella v2 list missed users');
  });
  const v2Pages = Math.floor(remaining / v2Max) + 1;
  countLine('Umb v2', `list ${fmt(remaining)}`, v2List, v2Pages + 1, `POST /auth/v2/token (once an hour) + ${fmt(v2Pages)} pages of ≤ ${v2Max} (no total: page until a short one)`);
  const v2Join = await counted(sim, () => v2.createAccount({ userName: 'joiner2@bench.example', email: 'joiner2@bench.example', givenName: 'Jo', familyName: 'Iner', role: 'Read Only' }));
  countLine('Umb v2', 'onboard 1', v2Join, 1, '1 POST /admin/v2/users; roles by label need GET /admin/v2/roles once per connector');
  const v2Leave = await counted(sim, () => v2.deleteAccount(take(1)[0] ?? ''));
  countLine('Umb v2', 'offboard 1 (delete)', v2Leave, 1, '1 DELETE /admin/v2/users/{id} (no deactivate in v2)');
  const v2LeaveEngine = await counted(sim, () => viaEngine(v2, 'delete', take(1)[0] ?? ''));
  countLine('Umb v2', 'offboard 1 (delete), engine retry', v2LeaveEngine, 1, 'a retry or a resume reads the app first (idempotency, a fresh snapshot); a first attempt sends only the write (see "through the engine")');
  const v2Many = await counted(sim, async () => {
    for (const id of take(LEAVERS)) await v2.deleteAccount(id);
  });
  countLine('Umb v2', 'offboard 1,000', v2Many, LEAVERS, '1,000 DELETEs: no bulk delete (at 350 per 30 min, about 86 minutes)');
  await v2.close();

  // ---- SCIM
  const scim = new UmbrellaScimConnector({ appName: 'umbrella-scim', baseUrl: sim.scimBaseUrl, auth: bearerAuth(new Secret(SCIM_TOKEN, 'bench')) });
  const scimIds = sim.scim.scim.store.listUsers().map((u) => u.id);
  const page = sim.scim.scim.settings.maxPageSize;
  const scimList = await counted(sim, async () => {
    if ((await drain(scim)) !== USERS) throw new Error('Umbrella SCIM list missed users');
  });
  countLine('Umb SCIM', 'list 10,000', scimList, USERS / page + 1, `${fmt(USERS / page)} pages of ${page} (totalResults ends it) + 1 GET /Groups with members (users carry no groups; ≤ 200 groups, ≤ 2 pages); /ServiceProviderConfig (+1) to learn the page size`);
  const scimJoin = await counted(sim, () => scim.createAccount({ userName: 'joiner@bench.example', displayName: 'Jo Iner', externalId: 'guid-joiner' }));
  countLine('Umb SCIM', 'onboard 1', scimJoin, 1, '1 POST /Users (201 with the user)');
  const scimLeave = await counted(sim, () => scim.setActive(scimIds[0] ?? '', false));
  countLine('Umb SCIM', 'offboard 1 (deactivate)', scimLeave, 1, '1 PATCH active=false (DELETE would only deactivate too)');
  const scimLeaveEngine = await counted(sim, () => viaEngine(scim, 'deactivate', scimIds[1] ?? ''));
  countLine('Umb SCIM', 'offboard 1, engine retry', scimLeaveEngine, 1, 'a retry or a resume reads the app first (idempotency, a fresh snapshot); a first attempt sends only the write (see "through the engine")');
  const scimMany = await counted(sim, async () => {
    for (const id of scimIds.slice(2, 2 + LEAVERS)) await scim.setActive(id, false);
  });
  countLine('Umb SCIM', 'offboard 1,000', scimMany, LEAVERS, '1,000 PATCHes: no /Bulk');
  await scim.close();
  await sim.close();
}

/** The least time (real ms) sliding windows of every rule allow for n requests, each admitted as early as all of them let it. */
export function leastSpanMs(n: number, rules: readonly RateRule[], timeScale: number): number {
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = i === 0 ? 0 : (at[i - 1] ?? 0);
    for (const rule of rules) if (i >= rule.limit) t = Math.max(t, (at[i - rule.limit] ?? 0) + rule.windowMs * timeScale);
    at.push(t);
  }
  return (at.at(-1) ?? 0) - (at[0] ?? 0);
}

/** Leavers over API v2 under the documented budget; answers the shortfalls, if any. */
export async function umbrellaRate(timeScale = 1 / 240, total = 1_400, deadlineMs = 60_000): Promise<string[]> {
  const documented = umbrellaManifest.v2.rateLimits;
  const sim = await simulator({ v2Limits: documented.map((r) => ({ ...r })), timeScale, retryAfter: 'sometimes', tokenLimit: { ...umbrellaManifest.v2.tokenRateLimit } });
  const connector = v2Connector(sim, new RateBudget({ rules: umbrellaV2RateRules, timeScale }));
  const ids = sim.state.usersOf(ORG).slice(1).map((u) => String(u.id));
  const stopAt = performance.now() + deadlineMs;
  let next = 0;
  let failed = 0;
  const reasons: string[] = [];
  const deleted = new Set<string>();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (next < total && performance.now() < stopAt) {
        const id = ids[next] ?? '';
        next += 1;
        try {
          await connector.deleteAccount(id);
          deleted.add(id);
        } catch (error) {
          failed += 1;
          if (reasons.length < 3) reasons.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  const entries = sim.requests.entries.filter((r) => r.path.startsWith('/admin/v2/'));
  const held = ids.slice(0, next).filter((id) => !sim.state.users.has(Number(id))).length;
  await connector.close();
  await sim.close();
  const admitted = entries.filter((r) => r.status !== 429);
  const refused = entries.length - admitted.length;
  const first = admitted[0];
  const last = admitted.at(-1);
  const lost = next - held;
  const scaled = `time-scaled ×${fmt(Math.round(1 / timeScale))}`;
  if (!first || !last || admitted.length < 2) {
    console.log(`${pad('Umb v2', 9)}rate, leavers (DELETE), ${scaled}: too few requests to measure`);
    return ['Umbrella v2 rate: not measured'];
  }
  const spanMs = last.at - first.at;
  const leastMs = leastSpanMs(admitted.length, documented, timeScale);
  const share = spanMs > 0 ? leastMs / spanMs : 1;
  const below = share < 0.9 || lost !== 0;
  console.log(`${pad('Umb v2', 9)}rate, leavers (DELETE), ${scaled}: ${Math.round(share * 100)}% of the documented 5/s + 14/min + 350/30 min per key, ${fmt(refused)} 429s, ${fmt(lost)} operations lost${below ? '  <-- BELOW TARGET' : ''}`);
  console.log(
    `${' '.repeat(9)}  ${fmt(admitted.length)} requests admitted in ${(spanMs / 1000).toFixed(1)} s (${((spanMs / timeScale) / 60_000).toFixed(0)} simulated minutes; the limits admit them in ${(leastMs / 1000).toFixed(1)} s at best); ${fmt(next)} leavers intended, ${fmt(held)} deleted${failed ? `, ${fmt(failed)} failed: ${reasons.join(' | ')}` : ''}`,
  );
  return below ? [`Umbrella v2 rate, ${scaled}: ${Math.round(share * 100)}%, ${fmt(lost)} lost`] : [];
}
