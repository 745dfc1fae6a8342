import { randomBytes } from 'node:crypto';
import type { RetryAfterForm } from '../shared/faults.ts';

/** Attributes the Cloud Administration Console shows for a Unified Directory user (Users > Management). */
export const CONSOLE_ATTRIBUTES = ['userName', 'externalId', 'name', 'emails', 'phoneNumbers', 'active', 'password'] as const;

/** RSA answers a 429 with `Retry-After: 2 seconds`: a number of seconds written out in words. */
export const DEFAULT_RETRY_AFTER: RetryAfterForm = { kind: 'text', seconds: 2 };

export interface RsaRateLimit {
  /** Requests allowed per window (a fixed window, across every request with the client secret). */
  requests: number;
  /** Window length in milliseconds. */
  perMs: number;
  /**
   * How the 429 says when to come back. Default `{kind: 'text', seconds: 2}`: `Retry-After: 2 seconds`,
   * as RSA writes it. `'text'` alone tells the real time left in the window in the same words.
   */
  retryAfter?: RetryAfterForm | 'text';
}

/** Live settings of the RSA ID Plus simulator: assign to change behaviour while it runs. */
export interface RsaSimulatorSettings {
  /**
   * The client secret that is saved and published (Users > Identity Sources > Unified Directory >
   * Edit). Only this one authenticates. Default: random.
   */
  clientSecret: string;
  /**
   * A secret made with Generate but not yet published: it is refused (401) until `publishChanges()`.
   * Default: none.
   */
  unpublishedSecret: string | undefined;
  /**
   * PATCH ops in title case (`Add`, `Replace`, `Remove`, as Entra sends them without the flag) are
   * refused with 400 unless the tenant is set up with Entra's `aadOptscim062020` flag, which this
   * stands for. Default false: only `add`, `replace`, `remove`.
   */
  aadOptscim062020: boolean;
  /**
   * `'console'` (default): a user keeps only what the console maps (userName, externalId,
   * name.givenName/familyName, emails, phoneNumbers, active); everything else sent is dropped.
   * `'all'`: the whole SCIM core and enterprise schema is kept.
   */
  attributes: 'console' | 'all';
  /** Rate limit across every request. Default: none (RSA publishes no number). */
  rateLimit: RsaRateLimit | undefined;
}

export function makeSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function resolveRsaSettings(options: Partial<RsaSimulatorSettings> = {}): RsaSimulatorSettings {
  return {
    clientSecret: options.clientSecret ?? makeSecret(),
    unpublishedSecret: options.unpublishedSecret,
    aadOptscim062020: options.aadOptscim062020 ?? false,
    attributes: options.attributes ?? 'console',
    rateLimit: options.rateLimit,
  };
}
