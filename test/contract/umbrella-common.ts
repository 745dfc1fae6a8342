// What the three Umbrella harnesses share: one simulator per run, dashboard users for v1 and v2.
import { startUmbrellaSimulator, type RunningUmbrellaSimulator } from '../../simulators/umbrella/index.ts';
import type { AccountInput, Connector } from '../../src/connectors/connector.ts';
import { accountFromUmbrellaUser } from '../../src/connectors/umbrella/index.ts';
import type { HarnessInstance } from './harness.ts';

export const ORG = 2_000_001;
export const MGMT = { key: 'mgmt', secret: 'mgmt-secret', kind: 'management' as const };
export const V2KEY = { key: 'v2', secret: 'v2-secret', scopes: ['admin.users:read', 'admin.users:write', 'admin.roles:read'] };

/** Umbrella's dashboard users hold a name, an email and a role: no department, no groups. */
export const newAccount = (tag: string): AccountInput => ({ userName: `${tag}@example.com`, email: `${tag}@example.com`, displayName: `New ${tag}`, givenName: 'New', familyName: tag });

export async function start(): Promise<RunningUmbrellaSimulator> {
  // The suite is not about invitations or limits (the connector tests are): people accept at once, no pacing.
  return startUmbrellaSimulator({ v1Keys: [MGMT], v2Keys: [V2KEY], scimToken: 'scim', invitations: 'accepted', v2Limits: [], tokenLimit: undefined, organizations: [{ id: ORG, name: 'Acme' }] });
}

export function dashboard(sim: RunningUmbrellaSimulator, connector: Connector, wrong: () => Connector, read: (id: string) => unknown, pageSize: number): HarnessInstance {
  return {
    connector,
    group: 'Security Team',
    otherDepartment: 'Sales',
    change: { displayName: 'Renamed Person' },
    faults: sim.faults,
    minListRequests: (n) => Math.floor(n / pageSize) + 1,
    newAccount,
    async seed(n) {
      const inputs = Array.from({ length: n }, (_, i) => ({ userName: `seed${i}@example.com`, email: `seed${i}@example.com`, displayName: `Seed ${i}` }));
      sim.seedUsers(inputs.map((u) => ({ email: u.email, name: u.displayName })));
      return inputs;
    },
    async remote(remoteId) {
      const user = read(remoteId);
      return user ? accountFromUmbrellaUser(user as Parameters<typeof accountFromUmbrellaUser>[0]) : undefined;
    },
    async members() {
      return [];
    },
    wrongCredential: wrong,
    async close() {
      await connector.close();
      await sim.close();
    },
  };
}

