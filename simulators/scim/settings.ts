import { randomBytes } from 'node:crypto';
import type { RetryAfterForm } from '../shared/faults.ts';

/** Every filter operator RFC 7644 §3.4.2.2 defines, lowercase. */
export const ALL_FILTER_OPERATORS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'and', 'or', 'not'] as const;

export interface ScimRateLimit {
  /** Requests allowed per window. */
  requests: number;
  /** Window length in milliseconds. */
  perMs: number;
  /**
   * `'fixed'` (default): windows one after another, as `WindowLimiter` keeps them, with
   * `ratelimit-*` headers on every answer. `'sliding'`: strict — no window of `perMs`, wherever it
   * falls, lets more than `requests` through (a client pacing by fixed windows trips it at their
   * edges), and no rate-limit headers: the 429 is all a client learns.
   */
  window?: 'fixed' | 'sliding';
  /**
   * How the 429 says when to come back. A bare kind (`'seconds'`, `'http-date'`, `'text'`, `'body'`,
   * `'none'`) uses the real time left in the window, rounded up to whole seconds (at least 1); a
   * full `RetryAfterForm` uses its own `seconds` instead. Default `'seconds'`.
   */
  retryAfter?: RetryAfterForm | RetryAfterForm['kind'];
}

/**
 * Behaviour of the simulated SCIM service provider. Every field can be changed while it runs,
 * by assigning to the `settings` object the simulator returns.
 */
export interface ScimSimulatorSettings {
  /** Bearer token every non-discovery request must carry. Default: a random token made at start. */
  token: string;
  /** When set, HTTP Basic with these credentials is accepted as well as the bearer token. Default: unset. */
  basic: { username: string; password: string } | undefined;
  /** Largest page a list answers; a larger `count` is cut to it (RFC 7644 §3.4.2.4). Default 100. */
  maxPageSize: number;
  /** Filter operators accepted, lowercase; any other answers 400 invalidFilter. Default: all 13. */
  supportedFilterOperators: readonly string[];
  /**
   * Attributes a filter may name, as dotted paths (case-insensitive; `emails` also allows
   * `emails.value` etc.). Any other answers 400 invalidFilter. Default: undefined — any attribute.
   */
  filterableAttributes: readonly string[] | undefined;
  /** What a successful PATCH answers: 200 with the resource, or 204 with no body. Default 200. */
  patchStatus: 200 | 204;
  /** Whether /Groups exists. Off: /Groups answers 404 and discovery leaves groups out. Default true. */
  groups: boolean;
  /**
   * Whether users show the derived `groups` attribute (when `groups` is on). Off: /Groups still
   * works, but users carry no `groups` and the User schema leaves it out (as Netskope). Default true.
   */
  userGroups: boolean;
  /**
   * When groups show `members`: `'always'`, or `'when-asked'` — left out unless the request names
   * `members` in `attributes` (as Netskope: `?attributes=members`). Default `'always'`.
   */
  groupMembers: 'always' | 'when-asked';
  /** Real rate limiting across every /scim/v2 request. Default: none. */
  rateLimit: ScimRateLimit | undefined;
  /** Weak ETags in meta.version and the ETag header; If-Match is checked (412). Default true. */
  etags: boolean;
  /** Added to every answer, in milliseconds. Default 0. */
  latencyMs: number;
  /**
   * What a list says in `totalResults`: `'honest'` (every match); `'page'` — the number of
   * resources in this page, as a server that takes its page for the whole set (a client that trusts
   * it reads 50 of 194); `'counts-deleted'` — an unfiltered list also counts the resources deleted
   * since start, which it no longer lists (the pages run dry before the total). Default `'honest'`.
   */
  totalResults: 'honest' | 'page' | 'counts-deleted';
  /**
   * How a list treats `startIndex`: `'honoured'`; `'ignored'` — every list answers from the first
   * resource and says `startIndex: 1`; `'ignored-echoed'` — the same first page, but echoing the
   * `startIndex` asked (only repeated ids give it away). Default `'honoured'`.
   */
  startIndex: 'honoured' | 'ignored' | 'ignored-echoed';
  /**
   * Filtering, which RFC 7644 makes optional: `'supported'`; `'ignored'` — ServiceProviderConfig
   * says `filter.supported: false` and a `filter` is silently ignored (the unfiltered list comes
   * back); `'ignored-unsaid'` — the same, while ServiceProviderConfig claims filtering; `'refused'`
   * — it says it cannot and a `filter` answers 400 invalidFilter. Default `'supported'`.
   */
  filtering: 'supported' | 'ignored' | 'ignored-unsaid' | 'refused';
  /**
   * Group members when `attributes` names `members`: `'values'`, or `'empty'` — each member comes
   * back as `{}` (a server that projects the sub-attributes away), while a read without
   * `attributes` shows them whole. Default `'values'`.
   */
  projectedMembers: 'values' | 'empty';
  /**
   * User attributes a create (POST) must carry, as dotted paths (e.g. `name.givenName`, as AWS
   * IAM Identity Center requires `name.givenName`, `name.familyName` and `displayName`); missing
   * → 400 invalidValue, nothing stored. Default none.
   */
  requiredUserAttributes: readonly string[];
}

export type ScimSimulatorOptions = Partial<ScimSimulatorSettings>;

export function makeToken(): string {
  return randomBytes(24).toString('base64url');
}

export function resolveSettings(options: ScimSimulatorOptions = {}): ScimSimulatorSettings {
  return {
    token: options.token ?? makeToken(),
    basic: options.basic,
    maxPageSize: options.maxPageSize ?? 100,
    supportedFilterOperators: options.supportedFilterOperators ?? [...ALL_FILTER_OPERATORS],
    filterableAttributes: options.filterableAttributes,
    patchStatus: options.patchStatus ?? 200,
    groups: options.groups ?? true,
    userGroups: options.userGroups ?? true,
    groupMembers: options.groupMembers ?? 'always',
    rateLimit: options.rateLimit,
    etags: options.etags ?? true,
    latencyMs: options.latencyMs ?? 0,
    totalResults: options.totalResults ?? 'honest',
    startIndex: options.startIndex ?? 'honoured',
    filtering: options.filtering ?? 'supported',
    projectedMembers: options.projectedMembers ?? 'values',
    requiredUserAttributes: options.requiredUserAttributes ?? [],
  };
}
