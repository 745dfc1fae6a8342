// The simulated apps the demo runs, each seeded with a mess of its own in its vendor's shape.
import { randomBytes } from 'node:crypto';
import { startNetskopeSimulator } from '../../../simulators/netskope/index.ts';
import { startRsaSimulator } from '../../../simulators/rsa/index.ts';
import { startUmbrellaSimulator } from '../../../simulators/umbrella/index.ts';
import { startScimSimulator } from '../../../simulators/scim/index.ts';
import { DEFAULT_CREDENTIALS, startZiaSimulator } from '../../../simulators/zscaler/index.ts';
import type { Person } from '../../core/person.ts';
import { messyTenant, type MessyTenant } from './messy-tenant.ts';

export interface RunningDemoApp {
  name: string;
  /** What it is, for people. */
  title: string;
  /** Its entry under `apps:` in roster.yaml (secrets as env: references). */
  config: Record<string, unknown>;
  /** The secrets those references name. */
  env: Record<string, string>;
  accounts: number;
  planted: MessyTenant['planted'];
  close(): Promise<unknown>;
}

const secret = () => randomBytes(18).toString('base64url');

/** The generic SCIM app: the mess the demo's own test checks, exactly as planted. */
async function scimApp(people: readonly Person[]): Promise<RunningDemoApp> {
  const tenant = messyTenant(people);
  const token = secret();
  const sim = await startScimSimulator({ token, maxPageSize: 100 });
  sim.store.seedUsers(tenant.users);
  return {
    name: 'acme-scim',
    title: 'a generic SCIM 2.0 app',
    config: { type: 'scim', baseUrl: sim.baseUrl, auth: { type: 'bearer', token: 'env:ROSTER_DEMO_SCIM_TOKEN' }, rateBudget: false },
    env: { ROSTER_DEMO_SCIM_TOKEN: token },
    accounts: tenant.users.length,
    planted: tenant.planted,
    close: () => sim.close(),
  };
}

/** Netskope over SCIM: a REST API v2 token granted the SCIM endpoints; leavers are deactivated. */
async function netskopeApp(people: readonly Person[]): Promise<RunningDemoApp> {
  const tenant = messyTenant(people, { offset: 13, orphans: [{ userName: 'netskope-admin@acme.example', displayName: 'Netskope Admin', department: 'IT' }] });
  const token = secret();
  const sim = await startNetskopeSimulator({ scimToken: token, rateLimit: undefined });
  sim.scim.store.seedUsers(tenant.users);
  return {
    name: 'netskope',
    title: 'Netskope (SCIM, PATCH answers 204)',
    config: { type: 'netskope', baseUrl: sim.baseUrl, auth: { type: 'header', header: 'Netskope-Api-Token', token: 'env:ROSTER_DEMO_NETSKOPE_TOKEN' }, rateBudget: false },
    env: { ROSTER_DEMO_NETSKOPE_TOKEN: token },
    accounts: tenant.users.length,
    planted: tenant.planted,
    close: () => sim.close(),
  };
}

/** ZIA: users with a department and groups, writes staged until activated; leavers are deleted (held for approval). */
async function ziaApp(people: readonly Person[]): Promise<RunningDemoApp> {
  const departments = [...new Set(people.map((p) => p.department).filter((d): d is string => !!d))];
  const planted = { orphans: 1, missing: 0, leaversActive: 0, drifted: 0 };
  const users: { name: string; email: string; department: string; groups: string[] }[] = [];
  people.forEach((person, index) => {
    if (person.active && index % 45 === 9) {
      planted.missing += 1;
      return;
    }
    let department = person.department ?? departments[0] ?? 'Engineering';
    if (person.active && index % 33 === 4) {
      department = departments.find((d) => d !== department) ?? department;
      planted.drifted += 1;
    }
    if (!person.active) planted.leaversActive += 1;
    users.push({ name: person.displayName ?? person.userName, email: person.email ?? person.userName, department, groups: ['Employees'] });
  });
  users.push({ name: 'Legacy Proxy Account', email: 'proxy-legacy@acme.example', department: departments[0] ?? 'Engineering', groups: ['Employees'] });
  const sim = await startZiaSimulator({ rateLimits: false, activationMs: 20, domains: ['acme.example'], departments: departments.map((name) => ({ name })), groups: [{ name: 'Employees' }], users });
  return {
    name: 'zia',
    title: 'Zscaler Internet Access (session login, staged writes, activation)',
    config: {
      type: 'zscaler',
      baseUrl: sim.baseUrl,
      auth: { type: 'zscaler-session', username: DEFAULT_CREDENTIALS.username, password: 'env:ROSTER_DEMO_ZIA_PASSWORD', apiKey: 'env:ROSTER_DEMO_ZIA_KEY' },
      defaults: { groups: ['Employees'] },
      rateBudget: false,
      policy: { manage: ['displayName', 'department'] },
    },
    env: { ROSTER_DEMO_ZIA_PASSWORD: DEFAULT_CREDENTIALS.password, ROSTER_DEMO_ZIA_KEY: DEFAULT_CREDENTIALS.apiKey },
    accounts: users.length,
    planted,
    close: () => sim.close(),
  };
}

/** Cisco Umbrella, API v2: OAuth2 client credentials, no update (a role change is a replacement), leavers deleted with approval. */
async function umbrellaApp(people: readonly Person[]): Promise<RunningDemoApp> {
  const planted = { orphans: 1, missing: 0, leaversActive: 0, drifted: 0 };
  const org = 2000001;
  const key = { key: `demo-${secret().slice(0, 8)}`, secret: secret(), scopes: ['admin.users:read', 'admin.users:write', 'admin.roles:read'], organizationId: org };
  const sim = await startUmbrellaSimulator({ organizations: [{ id: org, name: 'Acme' }], v2Keys: [key], invitations: 'accepted', v2Limits: [], tokenLimit: undefined });
  const users: { email: string; name: string; role: string }[] = [{ email: 'umbrella-admin@acme.example', name: 'Umbrella Admin', role: 'Full Admin' }];
  // Umbrella's dashboard is for the IT team: policy assigns the IT department.
  people.forEach((person, index) => {
    if (person.department !== 'IT') return;
    if (person.active && index % 3 === 0) {
      planted.missing += 1;
      return;
    }
    if (!person.active) planted.leaversActive += 1;
    users.push({ email: person.email ?? person.userName, name: person.displayName ?? person.userName, role: 'Read Only' });
  });
  sim.seedUsers(users, org);
  return {
    name: 'umbrella',
    title: 'Cisco Umbrella API v2 (OAuth2, no update: changes replace accounts)',
    config: {
      type: 'umbrella',
      api: 'v2',
      baseUrl: sim.v2BaseUrl,
      auth: { type: 'oauth2-client-credentials', clientId: key.key, clientSecret: 'env:ROSTER_DEMO_UMBRELLA_SECRET' },
      rateBudget: false,
      policy: { assign: { departments: ['IT'] }, manage: ['email'], defaultRole: 'Read Only' },
    },
    env: { ROSTER_DEMO_UMBRELLA_SECRET: key.secret },
    accounts: users.length,
    planted,
    close: () => sim.close(),
  };
}

/** RSA ID Plus: users only (no groups), a work email required, leavers deactivated. */
async function rsaApp(people: readonly Person[]): Promise<RunningDemoApp> {
  const tenant = messyTenant(people, { offset: 29, orphans: [{ userName: 'rsa-breakglass@acme.example', displayName: 'Break Glass', department: 'IT' }] });
  const clientSecret = secret();
  const sim = await startRsaSimulator({ clientSecret });
  sim.seedUsers(tenant.users);
  return {
    name: 'rsa',
    title: 'RSA ID Plus (SCIM, users only)',
    config: { type: 'rsa', baseUrl: sim.baseUrl, auth: { type: 'bearer', token: 'env:ROSTER_DEMO_RSA_SECRET' }, rateBudget: false },
    env: { ROSTER_DEMO_RSA_SECRET: clientSecret },
    accounts: tenant.users.length,
    planted: { ...tenant.planted, drifted: 0 },
    close: () => sim.close(),
  };
}

/** Starts every demo app; on a failure, stops those already started. */
export async function startDemoApps(people: readonly Person[]): Promise<RunningDemoApp[]> {
  const started: RunningDemoApp[] = [];
  try {
    for (const start of [scimApp, netskopeApp, ziaApp, umbrellaApp, rsaApp]) started.push(await start(people));
    return started;
  } catch (error) {
    await Promise.all(started.map((app) => app.close()));
    throw error;
  }
}
