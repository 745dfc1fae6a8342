import { randomBytes } from 'node:crypto';
import type { ScimRateLimit } from '../scim/index.ts';

/** Where Netskope serves SCIM 2.0 and the REST API v2 audit events. */
export const NETSKOPE_SCIM_PATH = '/api/v2/scim';
export const AUDIT_EVENTS_PATH = '/api/v2/events/data/audit';

/** Scopes a REST API v2 token can carry (Settings > Tools > REST API v2). */
export const REST_SCOPES = ['user_data', 'scim', 'events', 'infrastructure'] as const;
export type RestScope = (typeof REST_SCOPES)[number];

/** A REST API v2 token and what it may reach. */
export interface RestToken {
  token: string;
  scopes: readonly string[];
}

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
  /** The SCIM token (Settings > Tools > SCIM). Default: random. */
  scimToken: string;
  /** REST API v2 tokens. Default: one random token with the `events` scope. */
  restTokens: RestToken[];
  /**
   * Whether a REST v2 token that carries the `scim` scope is accepted on /api/v2/scim. Default
   * false: any REST v2 token there gets a bare 403, as the SCIM seed documents.
   */
  restTokensOnScim: boolean;
  /**
   * Per-token fixed window, across SCIM and REST. Default 300 requests per 60 s with no
   * Retry-After on the 429 (`ratelimit-*` headers only); `undefined` turns it off.
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
    restTokensOnScim: options.restTokensOnScim ?? false,
    rateLimit: 'rateLimit' in options ? options.rateLimit : { ...DEFAULT_RATE_LIMIT },
    errorAnswers: options.errorAnswers ?? [],
    policyDelayMs: options.policyDelayMs ?? 0,
    eventsOrder: options.eventsOrder ?? 'newest-first',
    auditScimWrites: options.auditScimWrites ?? true,
  };
}
