import type { AccountAttributes } from './account.ts';

export type ChangeKind = 'create' | 'update' | 'activate' | 'deactivate' | 'delete' | 'add-member' | 'remove-member';

/** Attributes a change writes (all of them for a create; only what differs for an update). */
export type ChangeAttributes = Partial<AccountAttributes> & {
  /** App groups to create the account in, where the app takes them on create (capability groupsOnCreate). */
  groups?: string[] | undefined;
};

/** One HTTP request a change will make, as shown to a person before it is made (secrets never included). */
export interface RequestPreview {
  method: string;
  path: string;
  body?: unknown;
  /** A lookup the connector makes once per run (a group's id by its name): shown at its first use only. */
  once?: boolean | undefined;
  /** One request carries this change together with the batch's others of the same group (up to a batch of 25). */
  merged?: boolean | undefined;
}

export interface Change {
  /** Stable across plans of the same state: `<app>/<kind>/<subject>[/<group>]`. */
  id: string;
  app: string;
  kind: ChangeKind;
  personId?: string | undefined;
  /** Who or what it is about, for people to read. */
  subject: string;
  /** The account; absent when it does not exist yet (create, and memberships that follow one). */
  remoteId?: string | undefined;
  attributes?: ChangeAttributes | undefined;
  /** For add-member and remove-member: the app group's name. */
  group?: string | undefined;
  reason: string;
  risk: 'low' | 'high';
  /** Why a second person must approve it; empty: it applies on its own. */
  approval: string[];
  requests: RequestPreview[];
}

export interface HeldApp {
  app: string;
  reason: string;
  /**
   * The changes the planner would have made but did not, for this reason (an app's group limit):
   * absent when the whole app is held (the circuit breaker).
   */
  changes?: string[] | undefined;
}

export interface PlanBody {
  changes: Change[];
  /** Apps whose every change is held by the circuit breaker, and changes not planned with the reason (group limits). */
  held: HeldApp[];
}
