// What a real Netskope tenant does (issue 8), through the real CLI: one REST API v2 token for SCIM
// and the audit events, events that arrive late, and a bare 403 explained.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startNetskopeSimulator, type RunningNetskopeSimulator } from '../simulators/netskope/index.ts';
import { roster, signInAsAdmin, workspace } from './support/cli.ts';

const config = (baseUrl: string) =>
  `apps:\n  netskope:\n    type: netskope\n    baseUrl: ${baseUrl}\n    auth: { type: header, header: Netskope-Api-Token, token: env:NS_TOKEN }\n    events: { token: env:NS_TOKEN }\n`;

describe('roster against a Netskope tenant', () => {
  let sim: RunningNetskopeSimulator;
  let cwd: string;
  before(async () => {
    sim = await startNetskopeSimulator({
      rateLimit: undefined,
      auditScimWrites: false,
      restTokens: [
        { token: 'v2-all', scopes: ['/api/v2/scim/Users', '/api/v2/scim/Groups', '/api/v2/events/data/audit'] },
        { token: 'v2-events-only', scopes: ['events'] },
      ],
    });
    sim.scim.store.seedUsers([{ userName: 'jane@acme.example', active: true }]);
    cwd = workspace(config(sim.baseUrl));
    await signInAsAdmin(cwd);
  });
  after(() => sim.close());

  const trail = async (): Promise<{ detail: { _id: string; audit_log_event: string } }[]> => {
    const run = await roster(['audit', '--action', 'netskope.audit_event', '--json'], { cwd });
    return run.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { detail: { _id: string; audit_log_event: string } });
  };

  it('one REST API v2 token serves SCIM and the audit events; an event stored late is recorded, once', async () => {
    const env = { NS_TOKEN: 'v2-all' };
    const now = Math.floor(Date.now() / 1000);
    sim.events.add([{ audit_log_event: 'Policy changed', timestamp: now - 30 }]);
    const first = await roster(['sync'], { cwd, env });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /netskope: read 1 accounts/);
    assert.match(first.stdout, /netskope: read 1 of the app's own audit events, 1 new in roster's trail/);

    // Happened two hours ago, reached Netskope only now: a reader walking event time never sees it.
    const [late] = sim.events.add([{ audit_log_event: 'Admin role granted', timestamp: now - 7200 }]);
    const second = await roster(['sync'], { cwd, env });
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /1 new in roster's trail/);
    const third = await roster(['sync'], { cwd, env });
    assert.match(third.stdout, /0 new in roster's trail/);

    const recorded = await trail();
    assert.deepEqual(recorded.map((e) => e.detail.audit_log_event).sort(), ['Admin role granted', 'Policy changed']);
    assert.equal(recorded.filter((e) => e.detail._id === late!._id).length, 1);
    const asked = sim.scim.requests.filter({ pathIncludes: '/events/data/audit' });
    assert.ok(asked.every((r) => r.query['insertionstarttime'] !== undefined && r.query['starttime'] === undefined), 'every read walks insertion time');
  });

  it('a token not granted the SCIM endpoints: the sync fails with every cause named, the token never shown', async () => {
    const run = await roster(['sync'], { cwd, env: { NS_TOKEN: 'v2-events-only' } });
    assert.notEqual(run.code, 0);
    assert.match(
      run.stdout,
      /netskope: sync FAILED after 0 accounts: netskope: GET \/api\/v2\/scim\/ServiceProviderConfig answered 403 with no body: Netskope answers so, without saying which cause, when the REST API v2 token is not granted the SCIM endpoints \(\/api\/v2\/scim\/Users and \/api\/v2\/scim\/Groups\), when the token was revoked or is not valid, or when this address is not on the tenant's IP allow list/,
    );
    assert.ok(!(run.stdout + run.stderr).includes('v2-events-only'));
    assert.ok(!run.stdout.includes('Settings > Tools > SCIM'));
  });
});
