// Through the real CLI: `roster token create`, `roster sync`, then `roster serve`; an IdP pushes a
// joiner and, later, disables them over SCIM. Every simulated app gets the account and then has it
// deactivated (read back and verified), and the audit trail names the IdP's token as the actor.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startNetskopeSimulator, type RunningNetskopeSimulator } from '../simulators/netskope/index.ts';
import { startScimSimulator, type RunningScimSimulator } from '../simulators/scim/index.ts';
import { roster, signInAsAdmin, spawnRoster, workspace } from './support/cli.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Event {
  actor: string;
  action: string;
  appName: string | null;
  target: string | null;
  detail: Record<string, unknown>;
}

describe('an IdP disable over SCIM reaches every app, verified', () => {
  let scim: RunningScimSimulator;
  let netskope: RunningNetskopeSimulator;
  let cwd: string;
  let server: ChildProcess | undefined;
  let env: Record<string, string>;

  before(async () => {
    scim = await startScimSimulator({ maxPageSize: 100 });
    netskope = await startNetskopeSimulator({ scimToken: 'ns-token', rateLimit: undefined, auditScimWrites: false });
    cwd = workspace(
      [
        'server: { port: 0 }',
        'apps:',
        '  tools:',
        '    type: scim',
        `    baseUrl: ${scim.baseUrl}`,
        '    auth: { type: bearer, token: env:TOOLS_TOKEN }',
        '    rateBudget: false',
        '  netskope:',
        '    type: netskope',
        `    baseUrl: ${netskope.baseUrl}`,
        '    auth: { type: header, header: Netskope-Api-Token, token: env:NS_TOKEN }',
        '    rateBudget: false',
        '',
      ].join('\n'),
    );
    env = { TOOLS_TOKEN: scim.settings.token, NS_TOKEN: 'ns-token' };
    await signInAsAdmin(cwd, env);
  });
  after(async () => {
    server?.kill('SIGKILL');
    await scim.close();
    await netskope.close();
  });

  it('joiner then leaver, pushed by Entra, carried out by roster serve’s worker; the token is the actor', async () => {
    const made = await roster(['token', 'create', 'entra-e2e'], { cwd, env });
    assert.equal(made.code, 0, made.stderr);
    const token = made.stdout.trim();
    assert.match(token, /^rst_/);
    const listed = await roster(['token', 'list'], { cwd, env });
    assert.match(listed.stdout, /entra-e2e/);
    assert.ok(!listed.stdout.includes(token), 'list never shows a value');
    const synced = await roster(['sync'], { cwd, env });
    assert.equal(synced.code, 0, synced.stderr);

    server = spawnRoster(['serve'], { cwd, env });
    const origin = await new Promise<string>((resolve, reject) => {
      let text = '';
      server?.stderr?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const found = /SCIM at (http:\/\/127\.0\.0\.1:\d+)\/scim\/v2/.exec(text);
        if (found?.[1]) resolve(found[1]);
      });
      server?.once('exit', (code) => reject(new Error(`roster serve exited ${code}: ${text}`)));
    });
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${origin}/scim/v2${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: response.status, body: (await response.text()) || '{}' };
    };
    assert.equal((await fetch(`${origin}/healthz`)).status, 200);
    assert.equal((await fetch(`${origin}/scim/v2/Users`)).status, 401);

    const created = await call('POST', '/Users', { schemas: [USER], externalId: 'aad-1', userName: 'lee@contoso.com', displayName: 'Lee Chan', active: true, emails: [{ primary: true, type: 'work', value: 'lee@contoso.com' }], name: { givenName: 'Lee', familyName: 'Chan' } });
    assert.equal(created.status, 201, created.body);
    const id = (JSON.parse(created.body) as { id: string }).id;
    const inApps = () => [scim.store.findUserByUserName('lee@contoso.com'), netskope.scim.store.findUserByUserName('lee@contoso.com')];
    await until(() => inApps().every((u) => u?.attrs.active === true), 'the joiner’s accounts');

    const started = performance.now();
    const disabled = await call('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    assert.equal(disabled.status, 200, disabled.body);
    await until(() => inApps().every((u) => u?.attrs.active === false), 'the leaver’s deactivation');
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 10, `deactivated everywhere in ${seconds.toFixed(2)} s`);

    server.kill('SIGTERM');
    await new Promise((resolve) => server?.once('exit', resolve));
    server = undefined;

    const audit = await roster(['audit', '--json', '--limit', '500'], { cwd, env });
    const events = audit.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Event);
    assert.ok(!audit.stdout.includes(token), 'the token value is nowhere in the trail');
    const update = events.find((e) => e.action === 'scim.user.updated' && e.target === id);
    assert.equal(update?.actor, 'idp:entra-e2e');
    // The plan that deactivates: requested by the token, applied by roster's worker, verified in each app.
    const verified = events.filter((e) => e.action === 'change.verified' && e.target?.includes('/deactivate/'));
    assert.deepEqual(verified.map((e) => e.appName).sort(), ['netskope', 'tools']);
    const plan = String(verified[0]?.detail.plan);
    const planned = events.find((e) => e.action === 'plan.created' && e.target === plan);
    assert.equal(planned?.actor, 'idp:entra-e2e', 'the leaver’s plan names the IdP token');
    assert.equal(events.find((e) => e.action === 'plan.apply_started' && e.target === plan)?.actor, 'idp:entra-e2e');
    const intact = await roster(['audit', 'verify'], { cwd, env });
    assert.equal(intact.code, 0, intact.stderr);
  });
});

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
