// The joiner / mover / leaver story through `roster pull`, shared by the Entra and Okta end-to-end
// tests: a seeded tenant is pulled in full, a SCIM app gets the people policy assigns; then the IdP
// changes, an incremental pull reads just that, plans it and queues it, and `roster apply` does it.
import assert from 'node:assert/strict';
import { startScimSimulator, type RunningScimSimulator } from '../../simulators/scim/index.ts';
import { seedTenant, type SeedTenant } from '../../simulators/shared/idp-tenant.ts';
import { roster, signInAsAdmin, workspace } from './cli.ts';

export interface IdpUnderTest {
  /** The sources: section for roster.yaml (YAML text, indented under `sources:`). */
  sourceYaml: string;
  env: Record<string, string>;
  /** Ids of the two teams the story uses, by name. */
  join(userName: string, team: string): void;
  addToGroup(userName: string, team: string): void;
  leave(userName: string): void;
  close(): Promise<void>;
}

export const TENANT = { people: 5000, groups: 200 } as const;
/** Policy: team-0001 gets the app; team-0002 is its Admins group. */
const ASSIGNED = 'team-0001';
const ADMINS = 'team-0002';

/** Who is in a seed team (direct members only: the story's teams are not nested). */
export function teamMembers(tenant: SeedTenant, team: string): string[] {
  const group = tenant.groups.find((g) => g.name === team);
  const emails = new Map(tenant.people.map((p) => [p.key, p]));
  return (group?.memberKeys ?? []).map((k) => emails.get(k)).filter((p) => p?.active).map((p) => p?.email ?? '');
}

const summary = (stdout: string) => {
  const m = /in (\d+) requests \(fewest possible (\d+)\)/.exec(stdout);
  const plan = /plan (\w+): (\d+) changes?, (\d+) queued/.exec(stdout);
  return { requests: Number(m?.[1]), minimum: Number(m?.[2]), planId: plan?.[1], changes: Number(plan?.[2]), queued: Number(plan?.[3]) };
};

export async function pullStory(start: (tenant: SeedTenant) => Promise<IdpUnderTest>, label: string): Promise<void> {
  const tenant = seedTenant({ ...TENANT, seed: 3, domain: 'contoso.example' });
  const idp = await start(tenant);
  const scim: RunningScimSimulator = await startScimSimulator({ maxPageSize: 200 });
  try {
    scim.store.seedGroups([{ displayName: 'Admins', members: [] }]);
    const cwd = workspace(
      [
        'sources:',
        idp.sourceYaml,
        'apps:',
        '  scim:',
        '    type: scim',
        `    baseUrl: ${scim.baseUrl}`,
        '    auth: { type: bearer, token: env:SCIM_TOKEN }',
        '    rateBudget: false',
        `    policy: { assign: { groups: [${ASSIGNED}] }, groups: { ${ADMINS}: Admins } }`,
        '',
      ].join('\n'),
    );
    const env = { ...idp.env, SCIM_TOKEN: scim.settings.token };
    await signInAsAdmin(cwd, env);
    const run = async (args: string[]) => {
      const result = await roster(args, { cwd, env });
      assert.equal(result.code, 0, `roster ${args.join(' ')}: ${result.stderr}${result.stdout}`);
      return result;
    };

    await run(['sync']);
    const first = await run(['pull']);
    assert.match(first.stdout, new RegExp(`${label}: full pull: read ${TENANT.people} people, ${TENANT.groups} groups`));
    const assigned = teamMembers(tenant, ASSIGNED);
    const full = summary(first.stdout);
    assert.ok(full.planId, first.stdout);
    assert.equal(full.queued, full.changes, 'creates for the assigned team, no approval needed');
    assert.ok(full.changes >= assigned.length);
    await run(['apply', full.planId ?? '']);
    assert.equal(scim.store.listUsers().length, assigned.length);

    // The IdP changes: a joiner in the assigned team, a mover into the admins team, a leaver.
    const mover = assigned[0] ?? '';
    const leaver = assigned[1] ?? '';
    idp.join('new.joiner@contoso.example', ASSIGNED);
    idp.addToGroup(mover, ADMINS);
    idp.leave(leaver);

    const second = await run(['pull']);
    assert.match(second.stdout, new RegExp(`${label}: incremental pull`));
    assert.match(second.stdout, new RegExp(`leaver ${leaver.replace(/\./g, '\\.')}: `));
    const inc = summary(second.stdout);
    assert.ok(inc.planId, second.stdout);
    assert.ok(inc.queued >= 3, `create, add-member, deactivate queued: ${second.stdout}`);
    const apply = await run(['apply', inc.planId ?? '']);
    assert.match(apply.stdout, /0 failed/);

    assert.equal(scim.store.findUserByUserName('new.joiner@contoso.example')?.attrs.active, true, 'joiner has an account');
    assert.equal(scim.store.findUserByUserName(leaver)?.attrs.active, false, 'leaver is deactivated');
    const admins = scim.store.listGroups().find((g) => g.attrs.displayName === 'Admins');
    const moverId = scim.store.findUserByUserName(mover)?.id;
    assert.ok((admins?.attrs.members as { value: string }[] | undefined)?.some((m) => m.value === moverId), 'mover is in Admins');

    // A quiet pull: nothing changed, nothing planned; the requests it takes are the minimum.
    const quiet = summary((await run(['pull'])).stdout);
    assert.equal(quiet.planId, undefined);
    process.stdout.write(`# ${label}: full pull ${full.requests} requests (minimum ${full.minimum}); incremental ${inc.requests} (minimum ${inc.minimum}); quiet ${quiet.requests} (minimum ${quiet.minimum})\n`);
    assert.ok(inc.requests - inc.minimum <= 1, `incremental: ${inc.requests} requests, minimum ${inc.minimum}`);
    assert.equal(quiet.requests, quiet.minimum);
  } finally {
    await scim.close();
    await idp.close();
  }
}
