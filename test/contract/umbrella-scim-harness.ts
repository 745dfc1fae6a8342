import { Secret } from '../../src/config/secret.ts';
import { bearerAuth } from '../../src/connectors/http/auth.ts';
import { accountFromUmbrellaScimUser, createUmbrellaConnector } from '../../src/connectors/umbrella/index.ts';
import { SCIM } from '../../src/scim/schemas.ts';
import type { ContractHarness } from './harness.ts';
import { newAccount, start } from './umbrella-common.ts';

/** Umbrella over SCIM: no delete (its DELETE only deactivates; refused by capability). */
export const umbrellaScimHarness: ContractHarness = {
  name: 'Umbrella SCIM',
  async start() {
    const sim = await start();
    const store = sim.scim.scim.store;
    const [group] = store.seedGroups([{ schemas: [SCIM.group], displayName: 'Security Team' }]);
    const connect = (token: string) => createUmbrellaConnector({ api: 'scim', appName: 'umbrella', baseUrl: sim.scimBaseUrl, auth: bearerAuth(new Secret(token, 'test')), backoffBaseMs: 10 });
    const connector = connect('scim');
    return {
      connector,
      settings: { api: 'scim' },
      group: 'Security Team',
      otherDepartment: 'Sales',
      change: { displayName: 'Renamed Person' },
      faults: sim.faults,
      minListRequests: (n) => Math.ceil(n / 100),
      newAccount,
      async seed(n) {
        const inputs = Array.from({ length: n }, (_, i) => ({ userName: `seed${i}@example.com`, email: `seed${i}@example.com`, displayName: `Seed ${i}` }));
        store.seedUsers(inputs.map((u) => ({ userName: u.userName, displayName: u.displayName, active: true })));
        return inputs;
      },
      async remote(remoteId) {
        const user = store.getUser(remoteId);
        return user ? accountFromUmbrellaScimUser({ ...user.attrs, id: user.id }) : undefined;
      },
      async members() {
        const stored = group ? store.getGroup(group.id) : undefined;
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
