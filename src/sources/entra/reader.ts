// Reads people, groups and app assignments from Microsoft Entra ID through Graph v1.0: delta
// queries for users and groups (a stored deltaLink per stream; an expired one falls back to a full
// round), and the app role assignments of the enterprise apps roster.yaml names.
import type { Secret } from '../../config/secret.ts';
import { HttpClient, type HttpResponse } from '../../connectors/http/client.ts';
import { clientCredentialsAuth } from '../../connectors/http/oauth2.ts';
import { RosterError } from '../../errors.ts';
import { tokenCounted } from '../token.ts';
import { shortPath, type ReaderDeps, type ReadOptions, type SourceAppAssignments, type SourceGroupRecord, type SourcePersonRecord, type SourceRead, type SourceReader } from '../types.ts';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
/** The user properties roster asks for; `manager` brings manager@delta. */
export const USER_SELECT = ['displayName', 'givenName', 'surname', 'userPrincipalName', 'mail', 'accountEnabled', 'department', 'jobTitle', 'employeeId', 'manager'] as const;
/** Graph's largest page for delta queries and $top. */
export const GRAPH_MAX_PAGE = 999;

export interface EntraSourceConfig {
  name: string;
  tenantId: string;
  clientId: string;
  clientSecret: Secret;
  /** Default https://login.microsoftonline.com */
  authority: string;
  /** Default https://graph.microsoft.com/v1.0 */
  graphUrl: string;
  pageSize: number;
  /** Enterprise apps (service principal object ids) whose assignments roster reads. */
  apps: { id: string; name: string }[];
  timeoutMs: number;
  maxWaitMs: number;
}

interface GraphPage {
  value?: Record<string, unknown>[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** One Graph user object (full or a delta's changed properties) as a source record. */
export function entraPerson(user: Record<string, unknown>, partial: boolean): SourcePersonRecord | undefined {
  const id = text(user.id);
  if (!id) return undefined;
  const removed = user['@removed'] as { reason?: string } | undefined;
  if (removed) return { sourceId: id, fields: {}, partial: true, removed: { reason: `deleted in Entra ID (@removed, reason ${removed.reason ?? 'unknown'}${removed.reason === 'changed' ? ': soft-deleted, restorable for 30 days' : ''})` } };
  const has = (key: string) => key in user;
  const fields: SourcePersonRecord['fields'] = {};
  if (has('userPrincipalName')) fields.userName = text(user.userPrincipalName);
  if (has('mail')) fields.email = text(user.mail)?.toLowerCase();
  if (!partial && !fields.email && fields.userName?.includes('@')) fields.email = fields.userName.toLowerCase();
  if (has('displayName')) fields.displayName = text(user.displayName);
  if (has('givenName')) fields.givenName = text(user.givenName);
  if (has('surname')) fields.familyName = text(user.surname);
  if (has('department')) fields.department = text(user.department);
  if (has('jobTitle')) fields.title = text(user.jobTitle);
  if (has('employeeId')) fields.externalId = text(user.employeeId);
  const record: SourcePersonRecord = { sourceId: id, fields, partial };
  if (typeof user.accountEnabled === 'boolean') {
    record.status = user.accountEnabled
      ? { active: true, raw: 'accountEnabled=true', reason: 'enabled in Entra ID' }
      : { active: false, raw: 'accountEnabled=false', reason: 'disabled in Entra ID (accountEnabled false: sign-in blocked)' };
  }
  const manager = user['manager@delta'] as { id?: string; '@removed'?: unknown }[] | undefined;
  if (Array.isArray(manager)) {
    const current = manager.find((m) => !m['@removed']);
    record.managerSourceId = current?.id ?? null;
  } else if (!partial) record.managerSourceId = null;
  return record;
}

export class EntraReader implements SourceReader {
  readonly kind = 'entra';
  readonly #config: EntraSourceConfig;
  readonly #http: HttpClient;
  readonly #base: string;
  #requests = 0;
  #onExchange: ReadOptions['onExchange'];

  constructor(config: EntraSourceConfig, deps: ReaderDeps = {}) {
    this.#config = config;
    this.#base = config.graphUrl.replace(/\/+$/, '');
    const tokenUrl = `${config.authority.replace(/\/+$/, '')}/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`;
    const auth = clientCredentialsAuth({ appName: config.name, tokenUrl, clientId: config.clientId, clientSecret: config.clientSecret, scope: GRAPH_SCOPE, timeoutMs: config.timeoutMs, clock: deps.clock });
    // The token request goes outside the HttpClient: count it, and put it in the trail, here.
    const counted = tokenCounted(auth, new URL(tokenUrl).pathname, (e) => {
      this.#requests += 1;
      this.#onExchange?.(e);
    });
    this.#http = new HttpClient({ appName: config.name, baseUrl: `${this.#base}/`, auth: counted, timeoutMs: config.timeoutMs, maxWaitMs: config.maxWaitMs, clock: deps.clock });
    this.#http.observe((e) => {
      this.#requests += 1;
      this.#onExchange?.({ method: e.method, path: shortPath(e.path), status: e.status, ms: Math.round(e.ms), waitMs: e.waitMs, error: e.error });
    });
  }

  async read(options: ReadOptions): Promise<SourceRead> {
    this.#requests = 0;
    this.#onExchange = options.onExchange;
    const incremental = !options.full && !!options.cursors.users && !!options.cursors.groups;
    const pageSize = Math.min(this.#config.pageSize, GRAPH_MAX_PAGE);
    let fellBack: string | undefined;
    let minimum = 1; // the token

    const round = async (stream: 'users' | 'groups', first: string, onObject: (o: Record<string, unknown>, full: boolean) => void): Promise<string> => {
      let full = !incremental || !options.cursors[stream];
      let url = full ? first : (options.cursors[stream] as string);
      let objects = 0;
      for (;;) {
        const page = await this.#get(url, pageSize, [410]);
        if (page.status === 410) {
          const code = (page.body as { error?: { code?: string } })?.error?.code ?? 'Gone';
          const why = `the ${stream} delta token expired (410 ${code}); read all ${stream} again`;
          fellBack = fellBack ? `${fellBack}; ${why}` : why;
          full = true;
          url = first;
          objects = 0;
          (stream === 'users' ? people : groupParts).length = 0;
          continue;
        }
        const body = page.body as GraphPage;
        for (const o of body.value ?? []) onObject(o, full);
        objects += body.value?.length ?? 0;
        options.onProgress?.({ phase: stream, read: objects });
        if (body['@odata.nextLink']) url = body['@odata.nextLink'];
        else if (body['@odata.deltaLink']) {
          minimum += Math.max(1, Math.ceil(objects / GRAPH_MAX_PAGE));
          if (full) fullStreams.add(stream);
          return body['@odata.deltaLink'];
        } else throw new RosterError('invalid_response', `${this.#config.name}: a ${stream} delta page had neither @odata.nextLink nor @odata.deltaLink`);
      }
    };

    const people: SourcePersonRecord[] = [];
    const groupParts: Record<string, unknown>[] = [];
    const fullStreams = new Set<string>();
    const usersLink = await round('users', `users/delta?$select=${USER_SELECT.join(',')}`, (o, full) => {
      const record = entraPerson(o, !full);
      if (record) people.push(record);
    });
    const groupsLink = await round('groups', 'groups/delta?$select=displayName,members', (o) => groupParts.push(o));
    const groups = mergeGroupParts(groupParts, fullStreams.has('groups'));

    const assignments: SourceAppAssignments[] = [];
    for (const app of this.#config.apps) {
      const principals: SourceAppAssignments['principals'] = [];
      let url = `servicePrincipals/${encodeURIComponent(app.id)}/appRoleAssignedTo?$top=${GRAPH_MAX_PAGE}`;
      for (;;) {
        const body = (await this.#get(url, undefined)).body as GraphPage;
        for (const a of body.value ?? []) {
          const id = text(a.principalId);
          if (id) principals.push({ id, type: a.principalType === 'Group' ? 'group' : 'user', via: text(a.appRoleId) });
        }
        options.onProgress?.({ phase: 'assignments', read: principals.length });
        if (!body['@odata.nextLink']) break;
        url = body['@odata.nextLink'];
      }
      minimum += Math.max(1, Math.ceil(principals.length / GRAPH_MAX_PAGE));
      assignments.push({ appId: app.id, appName: app.name, principals });
    }
    const full = fullStreams.has('users');
    return { mode: full ? 'full' : 'incremental', complete: { people: full, groups: fullStreams.has('groups') }, fellBack, people, groups, assignments, cursors: { users: usersLink, groups: groupsLink }, requests: this.#requests, minimumRequests: minimum };
  }

  /** GET a path below Graph's base, or a nextLink/deltaLink Graph gave (which must point at the same base). */
  async #get(pathOrLink: string, pageSize: number | undefined, accept: number[] = []): Promise<HttpResponse> {
    let path = pathOrLink;
    if (/^https?:\/\//.test(pathOrLink)) {
      if (!pathOrLink.startsWith(`${this.#base}/`)) throw new RosterError('invalid_response', `${this.#config.name}: Graph sent a link off its own base URL (${new URL(pathOrLink).origin}); refusing to follow it`);
      path = pathOrLink.slice(this.#base.length + 1);
    }
    return this.#http.request({ method: 'GET', path, headers: pageSize ? { prefer: `odata.maxpagesize=${pageSize}` } : {}, accept });
  }

  async close(): Promise<void> {
    await this.#http.close();
  }
}

/** Graph splits a group's members across several objects (and pages): one record per group. */
export function mergeGroupParts(parts: readonly Record<string, unknown>[], full: boolean): SourceGroupRecord[] {
  const byId = new Map<string, SourceGroupRecord>();
  for (const part of parts) {
    const id = text(part.id);
    if (!id) continue;
    let group = byId.get(id);
    if (!group) byId.set(id, (group = { sourceId: id, mode: full ? 'replace' : 'change', addUsers: [], removeUsers: [], addGroups: [], removeGroups: [] }));
    if (part['@removed']) group.removed = true;
    if (typeof part.displayName === 'string') group.name = part.displayName;
    for (const m of (part['members@delta'] as Record<string, unknown>[] | undefined) ?? []) {
      const memberId = text(m.id);
      if (!memberId) continue;
      const isGroup = m['@odata.type'] === '#microsoft.graph.group';
      const removed = !!m['@removed'];
      (isGroup ? (removed ? group.removeGroups : group.addGroups) : removed ? group.removeUsers : group.addUsers).push(memberId);
    }
  }
  return [...byId.values()];
}
