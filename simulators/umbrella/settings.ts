import { randomBytes } from 'node:crypto';

/** Umbrella's paths, on one port (the real ones are on management.api.umbrella.com and api.umbrella.com). */
export const V1_PATH = '/v1';
export const TOKEN_PATH = '/auth/v2/token';
export const V2_PATH = '/admin/v2';
export const SCIM_PATH = '/identity/v2/scim';

/** The Management API v1 roles, as `GET …/roles` lists them (vendors.md). */
export const V1_ROLES = [
  { roleId: 1, label: 'Full Admin' },
  { roleId: 2, label: 'Read Only' },
  { roleId: 3, label: 'Block Page Bypass' },
  { roleId: 4, label: 'Reporting Only' },
  { roleId: 5, label: 'Investigate Only' },
  { roleId: 6, label: 'Security Administrator' },
] as const;

/** API v2 `GET /admin/v2/roles` (vendors.md lists only these four). */
export const V2_ROLES = V1_ROLES.slice(0, 4);

export const V2_SCOPES = ['admin.users:read', 'admin.users:write', 'admin.roles:read'] as const;
export type V2Scope = (typeof V2_SCOPES)[number];

/** A Management API v1 key: Management keys work; Reporting keys are refused with no reason. */
export interface V1Key {
  key: string;
  secret: string;
  kind: 'management' | 'reporting';
  /** Organizations the key sees (an MSP key sees several). Default: every organization. */
  organizations?: number[];
}

/** An API v2 key: one organization, some scopes. */
export interface V2Key {
  key: string;
  secret: string;
  scopes: readonly string[];
  /** Default: the first organization. */
  organizationId?: number;
}

/** One of the documented API v2 limits per key, as a sliding window. */
export interface LimitRule {
  limit: number;
  windowMs: number;
}

/** Live settings: assign to change behaviour while the simulator runs. */
export interface UmbrellaSimulatorSettings {
  organizations: { id: number; name: string }[];
  v1Keys: V1Key[];
  /**
   * Which v1 create body the service takes — sources disagree. `'seed'`: `{name, email, role}`, role
   * a case-sensitive label, a duplicate email 400, answers 201 with `{id, name, email, role, …}`.
   * `'legacy'`: `{firstname, lastname, email, password, roleId, timezone}` all required, answers 200
   * with `{id, email, role, roleId, timezone, status, twoFactorEnable, …}`. Default `'seed'`.
   */
  v1Form: 'seed' | 'legacy';
  /**
   * `'email'` (default): a new v1/v2 account is `pending` until the person accepts the emailed
   * invitation (`sim.acceptInvitation(email)`). `'accepted'`: active at once (for tests about other things).
   */
  invitations: 'email' | 'accepted';
  v2Keys: V2Key[];
  /** Lifetime of an API v2 token, in seconds (`expires_in`). Default 3600. */
  tokenLifetimeSeconds: number;
  /** What a call with an expired v2 token gets — sources disagree. Default 400 `{"error":"invalid_request"}`. */
  expiredTokenStatus: 400 | 401;
  /** The token endpoint's own limit per key. Default 20 a minute. `undefined`: off. */
  tokenLimit: LimitRule | undefined;
  /** The documented API v2 limits per key. Default 5/s, 14/min, 350/30 min. Empty: off. */
  v2Limits: LimitRule[];
  /** Whether a v2 429 carries Retry-After: `'always'`, `'never'`, or `'sometimes'` (every other one). Default `'sometimes'`. */
  retryAfter: 'always' | 'never' | 'sometimes';
  /** Multiplies every limit window (1/60: a minute lasts a second); Retry-After stays in the vendor's seconds. Default 1. */
  timeScale: number;
  /** The SCIM bearer token (does not expire). Default random. */
  scimToken: string;
  /** Most groups SCIM holds. Default 200. */
  scimMaxGroups: number;
  /** What SCIM DELETE of a user does: `'deactivate'` (default, as Umbrella) or `'delete'`. */
  scimDelete: 'deactivate' | 'delete';
}

export type UmbrellaSimulatorOptions = Partial<UmbrellaSimulatorSettings>;

export function makeSecret(): string {
  return randomBytes(18).toString('hex');
}

export const DEFAULT_V2_LIMITS: LimitRule[] = [
  { limit: 5, windowMs: 1_000 },
  { limit: 14, windowMs: 60_000 },
  { limit: 350, windowMs: 1_800_000 },
];

export function resolveSettings(options: UmbrellaSimulatorOptions = {}): UmbrellaSimulatorSettings {
  const organizations = options.organizations ?? [{ id: 2_000_001, name: 'Acme' }];
  if (organizations.length === 0) throw new Error('the Umbrella simulator needs at least one organization');
  return {
    organizations,
    v1Keys: options.v1Keys ?? [{ key: makeSecret(), secret: makeSecret(), kind: 'management' }],
    v1Form: options.v1Form ?? 'seed',
    invitations: options.invitations ?? 'email',
    v2Keys: options.v2Keys ?? [{ key: makeSecret(), secret: makeSecret(), scopes: [...V2_SCOPES] }],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    expiredTokenStatus: options.expiredTokenStatus ?? 400,
    tokenLimit: 'tokenLimit' in options ? options.tokenLimit : { limit: 20, windowMs: 60_000 },
    v2Limits: options.v2Limits ?? DEFAULT_V2_LIMITS.map((r) => ({ ...r })),
    retryAfter: options.retryAfter ?? 'sometimes',
    timeScale: options.timeScale ?? 1,
    scimToken: options.scimToken ?? makeSecret(),
    scimMaxGroups: options.scimMaxGroups ?? 200,
    scimDelete: options.scimDelete ?? 'deactivate',
  };
}
