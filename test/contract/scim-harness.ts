import { startScimSimulator } from '../../simulators/scim/index.ts';
import { Secret } from '../../src/config/secret.ts';
import { bearerAuth } from '../../src/connectors/http/auth.ts';
import { ScimConnector } from '../../src/connectors/scim/connector.ts';
import { accountFromScimUser } from '../../src/connectors/scim/mapping.ts';
import { SCIM } from '../../src/scim/schemas.ts';
import type { ContractHarness } from './harness.ts';

export const scimHarness: ContractHarness = {
  name: 'generic SCIM 2.0',
  async start() {
    const sim = await startScimSimulator({ maxPageSize: 100, patchStatus: 204 });
    const [group] = sim.store.seedGroups([{ schemas: [SCIM.group], displayName: 'Security Team' }]);
    const connect = (token: string) => new ScimConnector({ appName: 'scim', baseUrl: sim.baseUrl, auth: bearerAuth(new Secret(token, 'test')), backoffBaseMs: 10 });
    const connector = connect(sim.settings.token);
    return {
      connector,
      group: 'Security Team',
      otherDepartment: 'Sales',
      faults: sim.faults,
      minListRequests: (n) => Math.ceil(n / 100),
      newAccount: (tag) => ({ userName: `${tag}@example.com`, email: `${tag}@example.com`, displayName: `New ${tag}`, givenName: 'New', familyName: tag, department: 'Engineering', title: 'Engineer' }),
      async seed(n) {
        const inputs = Array.from({ length: n }, (_, i) => ({ userName: `seed${i}@example.com`, email: `seed${i}@example.com`, displayName: `Seed ${i}`, department: 'Engineering' }));
        sim.store.seedUsers(inputs.map((u) => ({ userName: u.userName, displayName: u.displayName, active: true, emails: [{ value: u.email, type: 'work', primary: true }], [SCIM.enterpriseUser]: { department: u.department } })));
        return inputs;
      },
      async remote(remoteId) {
        const user = sim.store.getUser(remoteId);
        if (!user) return undefined;
        const groups = [...sim.store.groupIdsOf(remoteId)].map((id) => ({ value: id, display: sim.store.getGroup(id)?.attrs.displayName }));
        return accountFromScimUser({ ...user.attrs, id: user.id, groups });
      },
      async members() {
        const stored = group ? sim.store.getGroup(group.id) : undefined;
        const members = (stored?.attrs.members ?? []) as { value: string }[];
        return members.map((m) => m.value);
      },
      wrongCredential: () => connect('not-the-token'),
      async close() {
        await connector.close();
        await sim.close();
      },
    };
  },
};
