import { it } from 'node:test';
import { startOktaSimulator } from '../simulators/okta/index.ts';
import { pullStory } from './support/pull-e2e.ts';

it('Okta: 5,000 people and 200 groups pulled; a joiner, a mover and a leaver (deprovisioned) pulled incrementally, planned and applied to a SCIM app', async () => {
  await pullStory(async (tenant) => {
    const sim = await startOktaSimulator({ apiTokens: ['okta-e2e-token'] });
    sim.tenant.seed(tenant);
    const id = (login: string) => sim.tenant.findUser(login)?.id ?? '';
    const group = (name: string) => sim.tenant.findGroup(name)?.id ?? '';
    return {
      sourceYaml: ['  okta:', '    type: okta', `    baseUrl: ${sim.origin}`, '    auth: { type: ssws, token: env:OKTA_TOKEN }'].join('\n'),
      env: { OKTA_TOKEN: 'okta-e2e-token' },
      join(login, team) {
        const user = sim.tenant.addUser({ firstName: 'New', lastName: 'Joiner', login, email: login, department: 'Engineering' });
        sim.tenant.addMember(group(team), user.id);
      },
      addToGroup: (login, team) => sim.tenant.addMember(group(team), id(login)),
      leave: (login) => sim.tenant.setStatus(id(login), 'DEPROVISIONED'),
      close: () => sim.close(),
    };
  }, 'okta');
});
