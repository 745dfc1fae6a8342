// A seeded Entra or Okta simulator in its own process for bench/pull.bench.ts, so the memory the
// bench measures is roster's alone. Prints one JSON line when ready; then, for each line
// "change N" on stdin, makes N changes in the tenant (joiners, movers, leavers, attribute edits)
// and prints "changed N".
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startEntraSimulator } from '../simulators/entra/index.ts';
import { startOktaSimulator } from '../simulators/okta/index.ts';
import { seedTenant } from '../simulators/shared/idp-tenant.ts';

const { values } = parseArgs({ options: { idp: { type: 'string', default: 'entra' }, users: { type: 'string', default: '100000' }, groups: { type: 'string', default: '2000' } } });
const tenant = seedTenant({ people: Number(values.users), groups: Number(values.groups), seed: 5, domain: 'bench.example' });

type Changer = (i: number) => void;
let change: Changer;
let ready: Record<string, unknown>;
let close: () => Promise<void>;

if (values.idp === 'entra') {
  // Graph's own limits stay on (3,500 resource units per 10 s).
  const sim = await startEntraSimulator({ tenantId: 'bench-tenant', clients: [{ clientId: 'bench', clientSecret: 'bench-secret' }] });
  const ids = sim.tenant.seed(tenant);
  const users = tenant.people.map((p) => ids.get(p.key) ?? '');
  const groups = tenant.groups.map((g) => ids.get(g.key) ?? '');
  change = (i) => {
    const user = users[(i * 997) % users.length] ?? '';
    switch (i % 4) {
      case 0: {
        const joiner = sim.tenant.addUser({ userPrincipalName: `joiner${i}@bench.example`, displayName: `Joiner ${i}`, department: 'Sales' });
        sim.tenant.addMember(groups[i % groups.length] ?? '', joiner.id);
        break;
      }
      case 1:
        sim.tenant.addMember(groups[(i * 7) % groups.length] ?? '', user);
        break;
      case 2:
        sim.tenant.updateUser(user, { accountEnabled: false });
        break;
      default:
        sim.tenant.updateUser(user, { department: 'Finance', jobTitle: 'Analyst' });
    }
  };
  ready = { origin: sim.origin, graphUrl: sim.graphUrl };
  close = () => sim.close();
} else {
  // Okta's documented per-endpoint limits would make a 100,000-person read last minutes (2,000
  // group member lists at 500 a minute); the bench measures roster, so they are off here.
  const sim = await startOktaSimulator({ apiTokens: ['bench-token'], rateLimits: undefined });
  const ids = sim.tenant.seed(tenant);
  const users = tenant.people.map((p) => ids.get(p.key) ?? '');
  const groups = tenant.groups.map((g) => ids.get(g.key) ?? '');
  change = (i) => {
    const user = users[(i * 997) % users.length] ?? '';
    switch (i % 4) {
      case 0: {
        const joiner = sim.tenant.addUser({ firstName: 'Joiner', lastName: String(i), login: `joiner${i}@bench.example`, email: `joiner${i}@bench.example`, department: 'Sales' });
        sim.tenant.addMember(groups[i % groups.length] ?? '', joiner.id);
        break;
      }
      case 1:
        sim.tenant.addMember(groups[(i * 7) % groups.length] ?? '', user);
        break;
      case 2:
        sim.tenant.setStatus(user, 'DEPROVISIONED');
        break;
      default:
        sim.tenant.updateProfile(user, { department: 'Finance', title: 'Analyst' });
    }
  };
  ready = { origin: sim.origin };
  close = () => sim.close();
}

console.log(JSON.stringify({ ready: true, ...ready }));
for await (const line of createInterface({ input: process.stdin })) {
  const n = Number(/^change (\d+)$/.exec(line.trim())?.[1]);
  if (!Number.isInteger(n)) continue;
  for (let i = 0; i < n; i += 1) change(i);
  console.log(`changed ${n}`);
}
await close();
