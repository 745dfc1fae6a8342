// Benchmark: what an agent gets from roster's MCP tools on a large tenant — time per call and
// the characters it sends back (bounded by the page cap, whatever the tenant's size).
//   node bench/mcp.bench.ts [--people 100000] [--db pglite|postgres]
// One SCIM app holds accounts for ~97% of the people, with drift, leavers still active and orphans.
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { parseConfig } from '../src/config/load.ts';
import type { RemoteAccount } from '../src/core/account.ts';
import { linkAccounts } from '../src/core/links.ts';
import { generateOrganisation } from '../src/core/sample-org.ts';
import { UsageMeter } from '../src/mcp/limits.ts';
import { createRosterMcpServer } from '../src/mcp/server.ts';
import { completeSyncRun, ensureApp, insertAccounts, startSyncRun } from '../src/store/accounts.ts';
import { replaceLinks } from '../src/store/links.ts';
import { upsertPeople } from '../src/store/people.ts';
import { openTestDatabase } from '../src/store/testing.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '100000' }, db: { type: 'string', default: 'pglite' } } });
const size = Number(values.people);
const db = await openTestDatabase(values.db === 'postgres' ? 'postgres' : 'pglite');
const [app] = parseConfig({ apps: { acme: { type: 'scim', baseUrl: 'http://127.0.0.1:9/scim', auth: { type: 'bearer', token: 'env:T' } } } }, undefined, { env: { T: 'x' } }).apps;
if (!app) throw new Error('no app');

const seedStart = performance.now();
const people = generateOrganisation({ size, seed: 5, domain: 'example.com' });
for (let i = 0; i < people.length; i += 5000) await upsertPeople(db, people.slice(i, i + 5000), 'bench');
const accounts: RemoteAccount[] = [];
people.forEach((p, i) => {
  if (i % 33 === 0) return;
  accounts.push({ remoteId: `a-${i}`, userName: p.userName, email: p.email, displayName: p.displayName, department: i % 50 === 0 ? 'Somewhere Else' : p.department, title: p.title, active: true, groups: [], raw: {} });
});
for (let i = 0; i < 200; i += 1) accounts.push({ remoteId: `orphan-${i}`, userName: `ghost${i}@elsewhere.example`, email: `ghost${i}@elsewhere.example`, active: true, groups: [], raw: {} });
await ensureApp(db, { name: 'acme', type: 'scim', baseUrl: app.baseUrl });
const syncId = await startSyncRun(db, 'acme');
for (let i = 0; i < accounts.length; i += 5000) await insertAccounts(db, syncId, 'acme', accounts.slice(i, i + 5000));
await completeSyncRun(db, syncId, 'acme', { accountsRead: accounts.length, listRequests: 1 });
await replaceLinks(db, 'acme', linkAccounts('acme', people, accounts, []).links);
console.log(`seeded ${people.length} people, ${accounts.length} accounts in ${((performance.now() - seedStart) / 1000).toFixed(1)} s (${values.db})`);

const server = createRosterMcpServer({ db, apps: [app], identity: { kind: 'agent', id: 'bench', actor: 'agent:bench', role: 'operator' }, meter: new UsageMeter(db, 'bench', { callsPerMinute: 1_000_000, resultCharsPerHour: 1_000_000_000 }) });
const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
await server.connect(serverSide);
const client = new Client({ name: 'bench', version: '1' });
await client.connect(clientSide);

const leaver = people.find((p) => !p.active) ?? people[0];
const calls: [string, Record<string, unknown>][] = [
  ['find_people', { query: 'a' }],
  ['find_people', { query: 'a', limit: 100 }],
  ['person_accounts', { person: leaver?.userName }],
  ['explain_access', { person: leaver?.userName, app: 'acme' }],
  ['list_findings', { kind: 'leaver_active', limit: 100 }],
  ['list_findings', { kind: 'drift' }],
  ['app_health', {}],
  ['draft_plan', { person: leaver?.userName }],
  ['person_audit', { person: leaver?.userName }],
];
console.log('tool                          ms   result chars');
for (const [name, args] of calls) {
  const started = performance.now();
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const ms = performance.now() - started;
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
  console.log(`${`${name} ${JSON.stringify(args).slice(0, 40)}`.padEnd(60)} ${ms.toFixed(0).padStart(6)} ${String(text.length).padStart(8)}${result.isError ? `  ERROR ${text.slice(0, 100)}` : ''}`);
}
await client.close();
await db.close();
