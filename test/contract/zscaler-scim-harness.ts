import { startZiaScimSimulator } from '../../simulators/zscaler-scim/index.ts';
import { Secret } from '../../src/config/secret.ts';
import { accountFromScimUser } from '../../src/connectors/scim/mapping.ts';
import { createZiaScimConnector } from '../../src/connectors/zscaler-scim/index.ts';
import { SCIM } from '../../src/scim/schemas.ts';
import type { ContractHarness } from './harness.ts';

/** ZIA over SCIM, its 5-a-second limit off (the connector's own budget is tested beside it). */
export const ziaScimHarness: ContractHarness = {
  name: 'Zscaler ZIA SCIM',
  async start() {
    const sim = await startZiaScimSimulator({ scim: { token: 'zia-scim-contract', rateLimit: undefined } });
    const [group] = sim.scim.store.seedGroups([{ schemas: [SCIM.group], displayName: 'Security Team' }]);
    const connect = (token: string) => createZiaScimConnector({ appName: 'zia-scim', baseUrl: sim.baseUrl, token: new Secret(token, 'test'), backoffBaseMs: 10, budget: false });
    const connector = connect('zia-scim-contract');
    return {
      connector,
      group: 'Security Team',
      otherDepartment: 'Sales',
      faults: sim.scim.faults,
      minListRequests: (n) => Math.ceil(n / 1000),
      newAccount: (tag) => ({ userName: `${tag}@example.com`, email: `${tag}@example.com`, displayName: `New ${tag}`, givenName: 'New', familyName: tag, department: 'Engineering' }),
      async seed(n) {
        const inputs = Array.from({ length: n }, (_, i) => ({ userName: `seed${i}@example.com`, email: `seed${i}@example.com`, displayName: `Seed ${i}`, department: 'Engineering' }));
        sim.scim.store.seedUsers(inputs.map((u) => ({ userName: u.userName, displayName: u.displayName, active: true, emails: [{ value: u.email, type: 'work', primary: true }], [SCIM.enterpriseUser]: { department: u.department } })));
        return inputs;
      },
      async remote(remoteId) {
        const user = sim.scim.store.getUser(remoteId);
        if (!user) return undefined;
        const groups = [...sim.scim.store.groupIdsOf(remoteId)].map((id) => ({ value: id, display: sim.scim.store.getGroup(id)?.attrs.displayName }));
        return accountFromScimUser({ ...user.attrs, id: user.id, groups });
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
