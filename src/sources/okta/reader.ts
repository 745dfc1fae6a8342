// Reads people, groups and app assignments from Okta's management API v1: users paged by the Link
// header (limit 200), DEPROVISIONED ones by a filter of their own (a plain list leaves them out),
// incremental reads by `filter=lastUpdated gt "…"` from a stored cursor, groups and members, app
// assignments; each endpoint's x-rate-limit-* headers pace the next request to that endpoint.
import type { Secret } from '../../config/secret.ts';
import type { AuthStrategy } from '../../connectors/http/auth.ts';
import { HttpClient, type HttpResponse } from '../../connectors/http/client.ts';
import { clientCredentialsAuth } from '../../connectors/http/oauth2.ts';
import { systemClock, type Clock } from '../../core/clock.ts';
import { RosterError } from '../../errors.ts';
import { tokenCounted } from '../token.ts';
import { shortPath, type ReaderDeps, type ReadOptions, type SourceAppAssignments, type SourceGroupRecord, type SourcePersonRecord, type SourceRead, type SourceReader, type SourceStatus } from '../types.ts';

export const OKTA_READ_SCOPES = ['okta.users.read', 'okta.groups.read', 'okta.apps.read'] as const;
export const OKTA_LIMITS = { users: 200, groups: 10_000, groupUsers: 1000, appUsers: 500 } as const;

export interface OktaSourceConfig {
  name: string;
  baseUrl: string;
  auth: { type: 'ssws'; token: Secret } | { type: 'oauth2'; clientId: string; clientSecret: Secret; tokenUrl?: string | undefined };
  apps: { id: string; name: string }[];
  timeoutMs: number;
  maxWaitMs: number;
}

/**
 * Okta's statuses as roster sees them. A person is a leaver only when the org has switched them off
 * (SUSPENDED, DEPROVISIONED); a locked-out, password-expired or recovering person still works there;
 * PROVISIONED is a joiner who has not signed in yet; STAGED was created but not yet activated, so
 * roster gives them nothing yet.
 */
export const OKTA_STATUS_MEANING: Record<string, { active: boolean; reason: string }> = {
  ACTIVE: { active: true, reason: 'ACTIVE in Okta' },
  PROVISIONED: { active: true, reason: 'PROVISIONED in Okta: activated, has not set a password yet (a joiner)' },
  RECOVERY: { active: true, reason: 'RECOVERY in Okta: resetting their password, still employed' },
  PASSWORD_EXPIRED: { active: true, reason: 'PASSWORD_EXPIRED in Okta: must change their password, still employed' },
  LOCKED_OUT: { active: true, reason: 'LOCKED_OUT in Okta: too many failed sign-ins, still employed' },
  STAGED: { active: false, reason: 'STAGED in Okta: created but not activated, so no access yet' },
  SUSPENDED: { active: false, reason: 'SUSPENDED in Okta: a leaver (access switched off, account kept)' },
  DEPROVISIONED: { active: false, reason: 'DEPROVISIONED in Okta: a leaver (deactivated)' },
};

export function oktaStatus(status: unknown): SourceStatus {
  const raw = typeof status === 'string' ? status : 'UNKNOWN';
  const meaning = OKTA_STATUS_MEANING[raw] ?? { active: false, reason: `${raw} in Okta: a status roster does not know, treated as a leaver` };
  return { raw, ...meaning };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export function oktaPerson(user: Record<string, unknown>): SourcePersonRecord | undefined {
  const id = text(user.id);
  const profile = (user.profile ?? {}) as Record<string, unknown>;
  if (!id) return undefined;
  const given = text(profile.firstName);
  const family = text(profile.lastName);
  return {
    sourceId: id,
    partial: false,
    fields: {
      userName: text(profile.login),
      email: text(profile.email)?.toLowerCase(),
      displayName: text(profile.displayName) ?? ([given, family].filter(Boolean).join(' ') || undefined),
      givenName: given,
      familyName: family,
      department: text(profile.department),
      title: text(profile.title),
      externalId: text(profile.employeeNumber),
    },
    status: oktaStatus(user.status),
    managerSourceId: text(profile.managerId) ?? null,
  };
}

/** The next page's URL from Okta's Link header(s). */
export function nextLink(link: string | undefined): string | undefined {
  return /<([^>]+)>\s*;\s*rel="next"/.exec(link ?? '')?.[1];
}

/** A cursor one millisecond before `iso`, so `gt` also sees what changed in the cursor's own millisecond. */
function justBefore(iso: string): string {
  return new Date(Date.parse(iso) - 1).toISOString();
}

const later = (a: string | undefined, b: unknown): string | undefined => (typeof b === 'string' && (!a || b > a) ? b : a);

export class OktaReader implements SourceReader {
  readonly kind = 'okta';
  readonly #config: OktaSourceConfig;
  readonly #http: HttpClient;
  readonly #base: string;
  readonly #clock: Clock;
  /** Per endpoint bucket: no request before this time (its x-rate-limit-remaining reached 0). */
  readonly #blockedUntil = new Map<string, number>();
  #requests = 0;
  #onExchange: ReadOptions['onExchange'];

  constructor(config: OktaSourceConfig, deps: ReaderDeps = {}) {
    this.#config = config;
    this.#clock = deps.clock ?? systemClock;
    this.#base = config.baseUrl.replace(/\/+$/, '');
    let auth: AuthStrategy;
    if (config.auth.type === 'ssws') {
      const token = config.auth.token;
      auth = { kind: 'okta-ssws', headers: () => ({ authorization: `SSWS ${token.reveal()}` }) };
    } else {
      const inner = clientCredentialsAuth({ appName: config.name, tokenUrl: config.auth.tokenUrl ?? `${this.#base}/oauth2/v1/token`, clientId: config.auth.clientId, clientSecret: config.auth.clientSecret, scope: OKTA_READ_SCOPES.join(' '), timeoutMs: config.timeoutMs, clock: deps.clock });
      auth = tokenCounted(inner, new URL(config.auth.tokenUrl ?? `${this.#base}/oauth2/v1/token`).pathname, (e) => {
        this.#requests += 1;
        this.#onExchange?.(e);
      });
    }
    this.#http = new HttpClient({ appName: config.name, baseUrl: `${this.#base}/`, auth, timeoutMs: config.timeoutMs, maxWaitMs: config.maxWaitMs, clock: deps.clock });
    this.#http.observe((e) => {
      this.#requests += 1;
      this.#onExchange?.({ method: e.method, path: shortPath(e.path), status: e.status, ms: Math.round(e.ms), waitMs: e.waitMs, error: e.error });
    });
  }

  async read(options: ReadOptions): Promise<SourceRead> {
    this.#requests = 0;
    this.#onExchange = options.onExchange;
    let minimum = this.#config.auth.type === 'oauth2' ? 1 : 0;
    const usersCursor = options.full ? undefined : options.cursors.users;
    const groupsCursor = options.full ? undefined : options.cursors.groups;
    const full = usersCursor === undefined;

    // People
    const people = new Map<string, SourcePersonRecord>();
    let newestUser = usersCursor;
    const readUsers = async (query: Record<string, string>) => {
      let n = 0;
      await this.#pages('api/v1/users', { limit: String(OKTA_LIMITS.users), ...query }, (items) => {
        for (const u of items) {
          const record = oktaPerson(u);
          if (record) people.set(record.sourceId, record);
          newestUser = later(newestUser, u.lastUpdated);
        }
        n += items.length;
        options.onProgress?.({ phase: 'users', read: people.size });
      });
      minimum += Math.max(1, Math.ceil(n / OKTA_LIMITS.users));
    };
    if (full) {
      await readUsers({});
      // A plain list leaves DEPROVISIONED users out: ask for them by name, or leavers go unseen.
      await readUsers({ filter: 'status eq "DEPROVISIONED"' });
    } else await readUsers({ filter: `lastUpdated gt "${justBefore(usersCursor)}"` });

    // Groups, and the members of each group read (all of them, or those changed since the cursor)
    const groupsFull = groupsCursor === undefined;
    const groups: SourceGroupRecord[] = [];
    let newestGroup = groupsCursor;
    const listed: Record<string, unknown>[] = [];
    let groupCount = 0;
    await this.#pages('api/v1/groups', { limit: String(OKTA_LIMITS.groups), ...(groupsFull ? {} : { filter: `lastUpdated gt "${justBefore(groupsCursor)}" or lastMembershipUpdated gt "${justBefore(groupsCursor)}"` }) }, (items) => {
      listed.push(...items);
      groupCount += items.length;
    });
    minimum += Math.max(1, Math.ceil(groupCount / OKTA_LIMITS.groups));
    for (const g of listed) {
      const id = text(g.id);
      if (!id) continue;
      const changedAt = later(later(undefined, g.lastUpdated), g.lastMembershipUpdated);
      // The filter starts 1 ms early; a group unchanged since the cursor needs no second look.
      if (groupsCursor !== undefined && changedAt !== undefined && changedAt <= groupsCursor) continue;
      newestGroup = later(newestGroup, changedAt);
      const members: string[] = [];
      await this.#pages(`api/v1/groups/${encodeURIComponent(id)}/users`, { limit: String(OKTA_LIMITS.groupUsers) }, (items) => {
        for (const u of items) if (text(u.id)) members.push(u.id as string);
      });
      minimum += Math.max(1, Math.ceil(members.length / OKTA_LIMITS.groupUsers));
      groups.push({ sourceId: id, name: text((g.profile as Record<string, unknown> | undefined)?.name), mode: 'replace', addUsers: members, removeUsers: [], addGroups: [], removeGroups: [] });
      options.onProgress?.({ phase: 'groups', read: groups.length });
    }

    // App assignments
    const assignments: SourceAppAssignments[] = [];
    for (const app of this.#config.apps) {
      const principals: SourceAppAssignments['principals'] = [];
      await this.#pages(`api/v1/apps/${encodeURIComponent(app.id)}/users`, { limit: String(OKTA_LIMITS.appUsers) }, (items) => {
        for (const a of items) if (text(a.id)) principals.push({ id: a.id as string, type: 'user', via: a.scope === 'GROUP' ? 'group' : 'direct' });
        options.onProgress?.({ phase: 'assignments', read: principals.length });
      });
      minimum += Math.max(1, Math.ceil(principals.length / OKTA_LIMITS.appUsers));
      assignments.push({ appId: app.id, appName: app.name, principals });
    }

    const cursors: Record<string, string> = {};
    if (newestUser) cursors.users = newestUser;
    if (newestGroup) cursors.groups = newestGroup;
    return { mode: full ? 'full' : 'incremental', complete: { people: full, groups: groupsFull }, people: [...people.values()], groups, assignments, cursors, requests: this.#requests, minimumRequests: minimum };
  }

  /** Every page of a list, following Link rel="next" (which must stay on the org's own URL). */
  async #pages(path: string, query: Record<string, string>, onPage: (items: Record<string, unknown>[]) => void): Promise<void> {
    let next: { path: string; query?: Record<string, string> } | undefined = { path, query };
    while (next) {
      const res = await this.#get(next.path, next.query);
      if (!Array.isArray(res.body)) throw new RosterError('invalid_response', `${this.#config.name}: ${path} answered ${typeof res.body} where Okta sends a list`);
      onPage(res.body as Record<string, unknown>[]);
      const link = nextLink(res.headers.link);
      if (!link) break;
      if (!link.startsWith(`${this.#base}/`)) throw new RosterError('invalid_response', `${this.#config.name}: Okta's next link points off the org (${new URL(link).origin}); refusing to follow it`);
      next = { path: link.slice(this.#base.length + 1) };
    }
  }

  /** A GET that first sits out its endpoint's spent rate-limit window, and notes where the window stands after. */
  async #get(path: string, query?: Record<string, string>): Promise<HttpResponse> {
    const bucket = path.split('?')[0]?.split('/').slice(0, 3).join('/') ?? path;
    const until = this.#blockedUntil.get(bucket) ?? 0;
    const wait = until - this.#clock.now();
    if (wait > this.#config.maxWaitMs) throw new RosterError('rate_limited', `${this.#config.name}: Okta's rate limit for ${bucket} is spent for ${Math.ceil(wait / 1000)} s`, { retryAfterMs: wait });
    if (wait > 0) await this.#clock.sleep(wait);
    const res = await this.#http.request({ method: 'GET', path, ...(query ? { query } : {}) });
    const remaining = Number(res.headers['x-rate-limit-remaining']);
    const reset = Number(res.headers['x-rate-limit-reset']);
    if (remaining === 0 && Number.isFinite(reset)) this.#blockedUntil.set(bucket, reset * 1000);
    return res;
  }

  async close(): Promise<void> {
    await this.#http.close();
  }
}
