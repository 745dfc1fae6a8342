import { startRsaSimulator } from '../../simulators/rsa/index.ts';
import { Secret } from '../../src/config/secret.ts';
import { accountFromRsaUser, createRsaConnector } from '../../src/connectors/rsa/index.ts';
import type { ContractHarness } from './harness.ts';

/**
 * RSA ID Plus: users only (groups refused by capability). It holds no department, so the suite's
 * update changes the last name instead.
 */
export const rsaHarness: ContractHarness = {
  name: 'RSA ID Plus',
  async start() {
    const sim = await startRsaSimulator({ clientSecret: 'rsa-contract-secret' });
    const connect = (secret: string) => createRsaConnector({ appName: 'rsa', baseUrl: sim.baseUrl, clientSecret: new Secret(secret, 'test'), backoffBaseMs: 10 });
    const connector = connect('rsa-contract-secret');
    return {
      connector,
      group: 'Security Team',
      otherDepartment: 'Sales',
      change: { familyName: 'Renamed' },
      faults: sim.scim.faults,
      minListRequests: (n) => Math.ceil(n / 100),
      newAccount: (tag) => ({ userName: `${tag}@example.com`, email: `${tag}@example.com`, givenName: 'New', familyName: tag }),
      async seed(n) {
        const inputs = Array.from({ length: n }, (_, i) => ({ userName: `seed${i}@example.com`, email: `seed${i}@example.com`, givenName: 'Seed', familyName: String(i) }));
        sim.seedUsers(inputs.map((u) => ({ userName: u.userName, name: { givenName: u.givenName, familyName: u.familyName }, active: true, emails: [{ value: u.email, type: 'work', primary: true }] })));
        return inputs;
      },
      async remote(remoteId) {
        const user = sim.scim.store.getUser(remoteId);
        return user ? accountFromRsaUser({ ...user.attrs, id: user.id }) : undefined;
      },
      async members() {
        return [];
      },
      wrongCredential: () => connect('not-the-secret'),
      async close() {
        await connector.close();
        await sim.close();
      },
    };
  },
};
