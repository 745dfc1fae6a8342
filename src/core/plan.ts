import type { AccountAttributes } from './account.ts';
import type { ManagedAttribute } from './policy.ts';

export type ChangeKind = 'create' | 'update' | 'activate' | 'deactivate' | 'delete' | 'add-member' | 'remove-member';

/** Attributes a change writes (all of them for a create; only what differs for an update). */
export type ChangeAttributes = Partial<AccountAttributes>;

/** One HTTP request a change will make, as shown to a person before it is made (secrets never included). */
export interface RequestPreview {
  method: string;
  path: string;
  body?: unknown;
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

/** What a connector type can hold and do, as the planner needs to know it. */
export interface AppSupport {
  attributes: readonly ManagedAttribute[];
  roles: boolean;
  groups: boolean;
  create: boolean;
  deactivate: boolean;
  delete: boolean;
  /**
   * Attributes the app takes on create but cannot change after (ZIA's email): a drift in one is
   * a new account, so the plan deletes the old one and creates another, both for approval.
   */
  fixedAfterCreate?: readonly ManagedAttribute[] | undefined;
}

export interface HeldApp {
  app: string;
  reason: string;
}

export interface PlanBody {
  changes: Change[];
  /** Apps whose every change is held by the circuit breaker. */
  held: HeldApp[];
}

export function changeNeedsApproval(change: Change): boolean {
  return change.approval.length > 0;
}
