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
  /**
   * The attribute the update test changes, and its new value. Default: department → otherDepartment.
   * An app that holds no department (RSA) names one it holds.
   */
  changeable?: { attribute: 'department' | 'givenName' | 'familyName' | 'title' | 'displayName'; value: string };
  close(): Promise<void>;
}
