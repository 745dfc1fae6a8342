// Simulated apps for bench/reconcile.bench.ts, in their own process so the memory the bench
// measures is roster's alone. Each app holds accounts for ~97% of the organisation (some drifted,
// some leavers still active) plus orphans. Prints one JSON line when ready: [{ baseUrl, token }].
import { parseArgs } from 'node:util';
import { startScimSimulator } from '../simulators/scim/index.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '100000' }, apps: { type: 'string', default: '4' }, 'page-size': { type: 'string', default: '500' } } });
const size = Number(values.people);
const people = generateOrganisation({ size, seed: 3, domain: 'bench.example' });
const apps: { baseUrl: string; token: string }[] = [];
for (let a = 0; a < Number(values.apps); a += 1) {
  const sim = await startScimSimulator({ maxPageSize: Number(values['page-size']) });
  const bodies: unknown[] = [];
  people.forEach((p, i) => {
    if ((i + a) % 33 === 0) return; // a joiner: no account yet
    bodies.push({
      userName: p.userName,
      displayName: p.displayName,
      name: { givenName: p.givenName, familyName: p.familyName },
      emails: [{ value: p.email, type: 'work', primary: true }],
      title: p.title,
      active: true,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: (i + a) % 50 === 0 ? 'Somewhere Else' : p.department },
    });
  });
  for (let o = 0; o < size / 200; o += 1) bodies.push({ userName: `orphan${o}@bench.example`, emails: [{ value: `orphan${o}@bench.example`, primary: true }], active: true });
  sim.store.seedUsers(bodies);
  apps.push({ baseUrl: sim.baseUrl, token: sim.settings.token });
}
console.log(JSON.stringify(apps));
process.on('SIGTERM', () => process.exit(0));
