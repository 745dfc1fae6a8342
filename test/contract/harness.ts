import type { FaultInjector } from '../../simulators/shared/faults.ts';
import type { AccountInput, Connector } from '../../src/connectors/connector.ts';
import type { RemoteAccount } from '../../src/core/account.ts';

/** One connector paired with its simulator, as the contract suite drives them. */
export interface ContractHarness {
  name: string;
  start(): Promise<HarnessInstance>;
}

export interface HarnessInstance {
  connector: Connector;
  /** The app settings the connector was made with, as config gives them (what its capabilities may depend on). */
  settings?: Record<string, unknown>;
  /** Puts n accounts straight into the simulated app; returns their inputs. */
  seed(n: number): Promise<AccountInput[]>;
  /** The app's own record of an account (read from the simulator, not through the connector). */
  remote(remoteId: string): Promise<RemoteAccount | undefined>;
  /** The remote ids in a group, read from the simulator. */
  members(group: string): Promise<string[]>;
  /** A group that exists in the app. */
  group: string;
  /** The fewest list requests the API allows for n accounts. */
  minListRequests(n: number): number;
  /** A connector to the same app with a wrong credential. */
  wrongCredential(): Connector;
  faults: FaultInjector;
  /** The input for a new account the suite creates; the department must exist in the app. */
  newAccount(tag: string): AccountInput;
  /** A department other than newAccount's, that exists in the app. */
  otherDepartment: string;
  /** What the update test changes, for apps that hold no department (RSA, Umbrella); default: department → otherDepartment. */
  change?: Partial<AccountInput>;
  close(): Promise<void>;
}
