import { randomBytes } from 'node:crypto';
import type { ScimRateLimit } from '../scim/index.ts';

/** Where Netskope serves SCIM 2.0 and the REST API v2 audit events. */
export const NETSKOPE_SCIM_PATH = '/api/v2/scim';
export const AUDIT_EVENTS_PATH = '/api/v2/events/data/audit';

/** Scopes a REST API v2 token can carry (Settings > Tools > REST API v2). */
export const REST_SCOPES = ['user_data', 'scim', 'events', 'infrastructure'] as const;
export type RestScope = (typeof REST_SCOPES)[number];

/**
 * The endpoints each shorthand scope grants. REST API v2 tokens are granted per endpoint; a scope
 * may also be an endpoint path itself (e.g. `/api/v2/scim/Users` alone, without Groups).
 */
export const SCOPE_ENDPOINTS: Record<string, readonly string[]> = {
  scim: [`${NETSKOPE_SCIM_PATH}/Users`, `${NETSKOPE_SCIM_PATH}/Groups`],
  events: ['/api/v2/events/'],
};

/** A REST API v2 token and what it may reach: shorthand scopes or endpoint paths. */
export interface RestToken {
  token: string;
  scopes: readonly string[];
}

/** User PATCH paths Netskope accepts (case-insensitive; no value filters). */
export const DEFAULT_USER_PATCH_PATHS = [
  'userName',
  'active',
  'externalId',
  'displayName',
  'name',
  'name.givenName',
  'name.familyName',
  'emails',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
] as const;

/** Group PATCH paths Netskope accepts (lowercase, as its docs write them; no value filters). */
export const DEFAULT_GROUP_PATCH_PATHS = ['members', 'externalid', 'displayname'] as const;

/**
 * A call that answers HTTP 200 with an error body instead of doing its work (as some Netskope
 * endpoints do). Matched in order against every authenticated request; the request changes nothing.
 */
export interface ErrorAnswer {
  /** Only this method (any case). Default: any. */
  method?: string;
  /** Only paths containing this. Default: any. */
  pathIncludes?: string;
  /** `'status-error'`: `{"status":"error","errorCode":…,"errors":[…]}`; `'ok-0'`: `{"ok":0,…}`. Default `'status-error'`. */
  form?: 'status-error' | 'ok-0';
  /** How many matching calls get it; then it is dropped. Default: every one, until removed. */
  count?: number;
  /** Default `'General Error'`. */
  errorCode?: string;
  /** Default `['Internal error, please retry']`. */
  errors?: string[];
}

/** Live settings of the Netskope simulator: assign to change behaviour while it runs. */
export interface NetskopeSimulatorSettings {
  /**
   * The legacy SCIM-only token (Settings > Tools > SCIM: deprecated, still met in tenants); it
   * works on SCIM only. Default: random.
   */
  scimToken: string;
  /**
   * REST API v2 tokens: what SCIM takes today, when their endpoints include the SCIM ones (scope
   * `scim`, or the paths `/api/v2/scim/Users` and `/api/v2/scim/Groups`). Default: one random token
   * with the `events` scope.
   */
  restTokens: RestToken[];
  /** Revoked tokens: a bare 403, like a token without the endpoint. Default none. */
  revokedTokens: string[];
  /**
   * The tenant's IP allow list for the API (exact addresses); a request from elsewhere gets a bare
   * 403. Default: undefined, no list.
   */
  ipAllowList: string[] | undefined;
  /**
   * What a token nobody issued gets: 401 with an error body, or `'bare-403'` — the same empty 403
   * as every other refusal (what Netskope's own plugin reports). Default 401.
   */
  invalidToken: 401 | 'bare-403';
  /** User PATCH paths accepted (case-insensitive); others and value filters → 400 invalidPath. */
  userPatchPaths: readonly string[];
  /** Group PATCH paths accepted (case-insensitive); others and value filters → 400 invalidPath. */
  groupPatchPaths: readonly string[];
  /**
   * Per-token fixed window, across SCIM and REST. Default 300 requests per 60 s with no
   * Retry-After on the 429 (`ratelimit-*` headers only) and the body
   * `{"message":"API rate limit exceeded"}`; `undefined` turns it off.
   */
  rateLimit: ScimRateLimit | undefined;
  /** Calls that answer 200 with an error body. Default none. */
  errorAnswers: ErrorAnswer[];
  /** How long a group membership change takes to reach `policyGroups()`. Default 0 (at once). */
  policyDelayMs: number;
  /** Order of audit events in a page. Default `'newest-first'`. */
  eventsOrder: 'newest-first' | 'oldest-first';
  /** Whether SCIM writes add admin audit events (user `scim-api`). Default true. */
  auditScimWrites: boolean;
}

export function makeToken(): string {
  return randomBytes(24).toString('hex');
}

export const DEFAULT_RATE_LIMIT: ScimRateLimit = { requests: 300, perMs: 60_000, retryAfter: 'none' };

export function resolveNetskopeSettings(options: Partial<NetskopeSimulatorSettings> = {}): NetskopeSimulatorSettings {
  return {
    scimToken: options.scimToken ?? makeToken(),
    restTokens: options.restTokens ?? [{ token: makeToken(), scopes: ['events'] }],
    revokedTokens: options.revokedTokens ?? [],
    ipAllowList: options.ipAllowList,
    invalidToken: options.invalidToken ?? 401,
    userPatchPaths: options.userPatchPaths ?? [...DEFAULT_USER_PATCH_PATHS],
    groupPatchPaths: options.groupPatchPaths ?? [...DEFAULT_GROUP_PATCH_PATHS],
    rateLimit: 'rateLimit' in options ? options.rateLimit : { ...DEFAULT_RATE_LIMIT },
    errorAnswers: options.errorAnswers ?? [],
    policyDelayMs: options.policyDelayMs ?? 0,
    eventsOrder: options.eventsOrder ?? 'newest-first',
    auditScimWrites: options.auditScimWrites ?? true,
  };
}
