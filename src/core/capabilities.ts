import type { ManagedAttribute } from './policy.ts';

/**
 * What an app can hold and do: the one model the planner, the engine, the connectors and the
 * contract suite all read. A connector module states it as data; its connector carries the same
 * object. A missing ability is refused cleanly (`unsupported`), never half done.
 */
export interface Capabilities {
  /** Attributes the app can hold; roster manages only these (an app with no title has no title drift). */
  attributes: readonly ManagedAttribute[];
  /** The app has roles roster can set. */
  roles: boolean;
  /** The app has groups roster can add people to and remove them from. */
  groups: boolean;
  createAccount: boolean;
  updateAccount: boolean;
  /** Can switch an account off and on without deleting it. */
  deactivate: boolean;
  deleteAccount: boolean;
  /** Deletes many accounts in one request: the connector implements `deleteAccounts`. */
  bulkDelete: boolean;
  /** A new account can be created in its groups (ZIA requires it): no membership change follows a create. */
  groupsOnCreate?: boolean | undefined;
  /** Adds or removes many members of one group in one request: the connector implements `changeMembers`. */
  bulkMembership?: boolean | undefined;
  /** Writes are staged until flushed (ZIA's activation): a write is not done until it is live. */
  stagesWrites: boolean;
  /**
   * Attributes (or the role) the app takes on create but cannot change after (ZIA's email, Umbrella
   * API v2's role): a drift in one is
   * a new account, so the plan deletes the old one and creates another, both for approval.
   */
  fixedAfterCreate?: readonly (ManagedAttribute | 'role')[] | undefined;
  /**
   * Attributes the app takes on create but roster never compares afterwards (Umbrella API v2's
   * names: it cannot change them, and a re-created account gets its former values back).
   */
  createOnly?: readonly ManagedAttribute[] | undefined;
  /**
   * A disabled account can be switched back on although roster does not switch accounts off here
   * (ZIA: no documented soft delete, yet an account disabled by hand can be enabled again).
   */
  reactivate?: boolean | undefined;
  /** Most groups the app holds (Umbrella SCIM: 200): a membership that would make one more is not planned. */
  maxGroups?: number | undefined;
  /** Most groups one account can be in (ZIA SCIM: 128): a membership past it is not planned. */
  maxGroupsPerUser?: number | undefined;
}
