import { startNetskopeSimulator } from '../../simulators/netskope/index.ts';
import { Secret } from '../../src/config/secret.ts';
import { headerAuth } from '../../src/connectors/http/auth.ts';
import { NetskopeConnector } from '../../src/connectors/netskope/connector.ts';
import { accountFromScimUser } from '../../src/connectors/scim/mapping.ts';
import { SCIM } from '../../src/scim/schemas.ts';
import type { ContractHarness } from './harness.ts';

export const netskopeHarness: ContractHarness = {
  name: 'Netskope',
  async start() {
    // A REST API v2 token granted the SCIM endpoints: what Netskope's SCIM takes today.
    const sim = await startNetskopeSimulator({ scimToken: 'legacy-scim', restTokens: [{ token: 'rest-v2', scopes: ['/api/v2/scim/Users', '/api/v2/scim/Groups'] }], rateLimit: undefined });
    const [group] = sim.scim.store.seedGroups([{ schemas: [SCIM.group], displayName: 'Security Team' }]);
    const connect = (token: string) => new NetskopeConnector({ appName: 'netskope', baseUrl: sim.baseUrl, auth: headerAuth('Netskope-Api-Token', new Secret(token, 'test')), backoffBaseMs: 10 });
    const connector = connect('rest-v2');
    return {
      connector,
      group: 'Security Team',
      otherDepartment: 'Sales',
      faults: sim.scim.faults,
      minListRequests: (n) => Math.ceil(n / 100),
      newAccount: (tag) => ({ userName: `${tag}@example.com`, email: `${tag}@example.com`, displayName: `New ${tag}`, givenName: 'New', familyName: tag, department: 'Engineering', title: 'Engineer' }),
      async seed(n) {
        const inputs = Array.from({ length: n }, (_, i) => ({ userName: `seed${i}@example.com`, email: `seed${i}@example.com`, displayName: `Seed ${i}`, department: 'Engineering' }));
        sim.scim.store.seedUsers(inputs.map((u) => ({ userName: u.userName, displayName: u.displayName, active: true, emails: [{ value: u.email, type: 'work', primary: true }], [SCIM.enterpriseUser]: { department: u.department } })));
        return inputs;
      },
      async remote(remoteId) {
        const user = sim.scim.store.getUser(remoteId);
        return user ? accountFromScimUser({ ...user.attrs, id: user.id }) : undefined;
      },
      async members() {
        const stored = group ? sim.scim.store.getGroup(group.id) : undefined;
        return ((stored?.attrs.members ?? []) as { value: string }[]).map((m) => m.value);
      },
      wrongCredential: () => connect('not-the-token'),
      async close() {
        await connector.close();
        await sim.close();
      },
    };
  },
};
