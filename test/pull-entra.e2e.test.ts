import { it } from 'node:test';
import { startEntraSimulator } from '../simulators/entra/index.ts';
import { pullStory } from './support/pull-e2e.ts';

it('Entra ID: 5,000 people and 200 groups pulled; a joiner, a mover and a leaver pulled incrementally, planned and applied to a SCIM app', async () => {
  await pullStory(async (tenant) => {
    const sim = await startEntraSimulator({ tenantId: 'contoso-tenant', clients: [{ clientId: 'roster-app', clientSecret: 'entra-e2e-secret' }] });
    sim.tenant.seed(tenant);
    const id = (upn: string) => sim.tenant.findUser(upn)?.id ?? '';
    const group = (name: string) => sim.tenant.findGroup(name)?.id ?? '';
    return {
      sourceYaml: [
        '  entra:',
        '    type: entra',
        '    tenantId: contoso-tenant',
        '    clientId: roster-app',
        '    clientSecret: env:ENTRA_SECRET',
        `    authority: ${sim.origin}`,
        `    graphUrl: ${sim.graphUrl}`,
      ].join('\n'),
      env: { ENTRA_SECRET: 'entra-e2e-secret' },
      join(upn, team) {
        const user = sim.tenant.addUser({ userPrincipalName: upn, displayName: 'New Joiner', givenName: 'New', surname: 'Joiner', department: 'Engineering' });
        sim.tenant.addMember(group(team), user.id);
      },
      addToGroup: (upn, team) => sim.tenant.addMember(group(team), id(upn)),
      leave: (upn) => sim.tenant.updateUser(id(upn), { accountEnabled: false }),
      close: () => sim.close(),
    };
  }, 'entra');
});
