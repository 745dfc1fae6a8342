// Who is asking. Every surface (CLI, REST API, dashboard, MCP) resolves a caller to one Identity
// before it reads or writes anything, and the audit trail records `identity.actor`.

export const roles = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof roles)[number];

/** What an identity may do. Reading is every role's; the rest is granted per role below. */
export type Permission =
  | 'read' // people, accounts, findings, plans, operations, audit, app health
  | 'plan' // draft and save plans, sync, pull, import
  | 'request' // ask for a saved plan to be carried out (it still waits for every approval it needs)
  | 'apply' // carry out what a plan allows (safe changes and approved ones)
  | 'approve' // approve or reject someone else's plan
  | 'admin'; // operator accounts, API and agent tokens, SCIM push tokens

const granted: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  operator: ['read', 'plan', 'request', 'apply'],
  approver: ['read', 'approve'],
  admin: ['read', 'plan', 'request', 'apply', 'approve', 'admin'],
};

/** An MCP agent can read and request, never more, whatever role its token was given. */
const agentCeiling: readonly Permission[] = ['read', 'plan', 'request'];

export interface Identity {
  /** user: a signed-in operator account; token: a scoped API token; agent: an MCP agent token. */
  kind: 'user' | 'token' | 'agent';
  /** The stable id of the account or token; four eyes compares actors, which are unique per id. */
  id: string;
  /** What the audit trail names: `operator:<username>`, `token:<name>` or `agent:<name>`. */
  actor: string;
  role: Role;
  /**
   * For an API token: the actor of the person who made it. A token is that person's tool, so four
   * eyes treats a decision made with it as theirs.
   */
  owner?: string | undefined;
}

export function can(identity: Identity, permission: Permission): boolean {
  if (identity.kind === 'agent' && !agentCeiling.includes(permission)) return false;
  return granted[identity.role].includes(permission);
}
