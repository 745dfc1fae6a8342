import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { RosterError, isRosterError } from '../../errors.ts';
import { backoffDelay } from '../http/backoff.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../http/client.ts';
import { errorDetail, httpError } from '../http/errors.ts';
import { priorities } from '../http/rate-budget.ts';
import { zscalerManifest } from './manifest.ts';

const refSchema = z.object({ id: z.number().int(), name: z.string().optional() }).loose();

/** A ZIA user as the API answers it; fields roster does not know are kept (loose). */
export const ziaUserSchema = z
  .object({
    id: z.number().int().positive(),
    name: z.string(),
    email: z.string(),
    groups: z.array(refSchema).optional(),
    department: refSchema.optional(),
    comments: z.string().optional(),
    tempAuthEmail: z.string().optional(),
    adminUser: z.boolean().optional(),
    type: z.string().optional(),
    authMethods: z.array(z.string()).optional(),
    isNonEditable: z.boolean().optional(),
    disabled: z.boolean().optional(),
    deleted: z.boolean().optional(),
  })
  .loose();

export type ZiaUser = z.infer<typeof ziaUserSchema>;
export type ZiaRef = z.infer<typeof refSchema>;

const namedSchema = z.object({ id: z.number().int(), name: z.string() }).loose();
export type ZiaNamed = z.infer<typeof namedSchema>;

const statusSchema = z.object({ status: z.enum(zscalerManifest.activationStatuses) }).loose();
export type ZiaActivationStatus = z.infer<typeof statusSchema>['status'];

/** The body of POST /users (and, with id, of PUT /users/{id}). */
export interface ZiaUserWrite {
  id?: number;
  name: string;
  email: string;
  password?: string;
  groups: { id: number; name?: string | undefined }[];
  department?: { id: number; name?: string | undefined } | undefined;
  [field: string]: unknown;
}

export interface UserListQuery {
  /** Documented filters: name contains, dept and group start with. (`search` is not one: the API ignores it.) */
  name?: string | undefined;
  dept?: string | undefined;
  group?: string | undefined;
}

export interface ZiaClientOptions {
  /** Page size to ask for (at most the manifest's maximum). */
  pageSize?: number | undefined;
  /** In-place waits for the edit lock: the first, doubling up to the cap. Default 500 ms, 8 s. */
  editLockBaseMs?: number | undefined;
  editLockCapMs?: number | undefined;
  /** How long one request waits out the edit lock in place before the wait goes to the caller (rate_limited). Default 10 s. */
  editLockInPlaceMs?: number | undefined;
  /** Waits handed to the caller grow from the manifest's 5 s, doubling, to its 60 s cap; these override them. */
  editLockRescheduleBaseMs?: number | undefined;
  editLockRescheduleCapMs?: number | undefined;
  /** After the lock has been seen held this long without a break, roster stops waiting and reports a conflict. Default 30 minutes. */
  editLockGiveUpMs?: number | undefined;
  now?: (() => number) | undefined;
}

/** The ZIA user API (legacy /api/v1 or OneAPI /zia/api/v1), typed, every answer checked. */
export class ZiaClient {
  readonly http: HttpClient;
  readonly pageSize: number;
  readonly #lock: Required<Omit<ZiaClientOptions, 'pageSize' | 'now'>>;
  readonly #now: () => number;
  /** When the edit lock was first met without a success since, and how many waits were handed over since. */
  #lockSince: number | undefined;
  #handedOver = 0;

  constructor(http: HttpClient, options: ZiaClientOptions = {}) {
    this.http = http;
    const max = zscalerManifest.paging.maxPageSize;
    this.pageSize = Math.max(1, Math.min(options.pageSize ?? max, max));
    const { editLock } = zscalerManifest;
    this.#lock = {
      editLockBaseMs: options.editLockBaseMs ?? 500,
      editLockCapMs: options.editLockCapMs ?? 8000,
      editLockInPlaceMs: options.editLockInPlaceMs ?? 10_000,
      editLockRescheduleBaseMs: options.editLockRescheduleBaseMs ?? editLock.waitBaseMs,
      editLockRescheduleCapMs: options.editLockRescheduleCapMs ?? editLock.waitCapMs,
      editLockGiveUpMs: options.editLockGiveUpMs ?? 30 * 60_000,
    };
    this.#now = options.now ?? Date.now;
  }

  /**
   * Every user (or those the documented filters match), page by page. The answer has no total and
   * a tenant may clamp the page size without a word, so a page shorter than asked is the end only
   * when the next page is empty, or once the size the server really serves is known, shorter than
   * that. A server that answers pages already read (ignoring `page`) is an error, not a loop.
   */
  async *users(query: UserListQuery = {}, priority?: number): AsyncIterable<ZiaUser[]> {
    yield* this.#pages('/users', ziaUserSchema, { ...query }, priority);
  }

  async getUser(id: number, priority?: number): Promise<ZiaUser | undefined> {
    const res = await this.#request({ method: 'GET', path: `/users/${id}`, accept: [404], priority });
    return res.status === 404 ? undefined : this.#check(ziaUserSchema, res.body, 'GET /users/{id}');
  }

  async createUser(user: ZiaUserWrite, priority: number = priorities.joinerMover): Promise<ZiaUser> {
    const res = await this.#request({ method: 'POST', path: '/users', body: user, priority });
    return this.#check(ziaUserSchema, res.body, 'POST /users');
  }

  /** PUT: a full replace. Every field left out is reset by the app, so send the whole record. */
  async replaceUser(id: number, user: ZiaUserWrite, priority: number = priorities.joinerMover): Promise<ZiaUser> {
    const res = await this.#request({ method: 'PUT', path: `/users/${id}`, body: { ...user, id }, priority });
    return this.#check(ziaUserSchema, res.body, 'PUT /users/{id}');
  }

  /** Deletes up to 500 users in one call. Unknown ids are skipped by the app without a word. */
  async bulkDeleteUsers(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    if (ids.length > zscalerManifest.bulkDeleteMax) {
      throw new RosterError('input_invalid', `${this.http.appName}: bulkDelete takes at most ${zscalerManifest.bulkDeleteMax} ids, not ${ids.length}`);
    }
    await this.#request({ method: 'POST', path: '/users/bulkDelete', body: { ids }, priority: priorities.leaver });
  }

  async listDepartments(): Promise<ZiaNamed[]> {
    return this.#all('/departments');
  }

  async listGroups(): Promise<ZiaNamed[]> {
    return this.#all('/groups');
  }

  async status(): Promise<ZiaActivationStatus> {
    const res = await this.#request({ method: 'GET', path: '/status', priority: priorities.joinerMover });
    return this.#check(statusSchema, res.body, 'GET /status').status;
  }

  /** Starts an activation of everything staged; answers the status right after. */
  async activate(): Promise<ZiaActivationStatus> {
    const res = await this.#request({ method: 'POST', path: '/status/activate', priority: priorities.leaver });
    return this.#check(statusSchema, res.body, 'POST /status/activate').status;
  }

  async #all(path: string): Promise<ZiaNamed[]> {
    const all: ZiaNamed[] = [];
    for await (const items of this.#pages(path, namedSchema, {}, priorities.joinerMover)) all.push(...items);
    return all;
  }

  async *#pages<T extends { id: number }>(path: string, schema: z.ZodType<T>, query: Record<string, string | undefined>, priority: number | undefined): AsyncIterable<T[]> {
    const asked = this.pageSize;
    let served: number | undefined;
    let shortBefore: number | undefined;
    const seen = new Set<number>();
    for (let page = 1; ; page += 1) {
      const res = await this.#request({ method: 'GET', path, query: { ...query, page, pageSize: asked }, priority });
      const items = this.#check(z.array(schema), res.body, `GET ${path}`);
      if (items.length === 0) return;
      if (items.every((item) => seen.has(item.id))) {
        throw new RosterError('invalid_response', `${this.http.appName}: GET ${path} answered page ${page} with only items already read on earlier pages; the server ignores paging, so roster cannot read the whole list`, { appName: this.http.appName, path, page });
      }
      for (const item of items) seen.add(item.id);
      yield items;
      // A short page after a short page that was followed by more: the server clamps to that size.
      if (shortBefore !== undefined && served === undefined) served = shortBefore;
      if (items.length >= asked) continue;
      if (served !== undefined) {
        if (items.length < served) return;
        continue;
      }
      shortBefore = items.length;
    }
  }

  /**
   * Sends a request, riding out the org's edit lock (409 EDIT_LOCK_NOT_AVAILABLE, on any method)
   * and its cousins (412/409 "Failed during enter Org barrier", "Resource Access Blocked", even as
   * 401): nothing was done, so the same request goes again after a growing wait. Past a short
   * in-place wait, the wait goes to the caller as a rate_limited error with retryAfterMs (the
   * executor reschedules the operation), the waits growing while the lock stays held. ZIA's other
   * refusals are turned into plain words.
   */
  async #request(req: HttpRequest): Promise<HttpResponse> {
    let waited = 0;
    for (let attempt = 1; ; attempt += 1) {
      let res: HttpResponse;
      try {
        res = await this.http.request({ ...req, accept: [...(req.accept ?? []), 403, 409, 412] });
      } catch (error) {
        // A 401 is the session's business first (the HTTP client logs in again); one that stays 401
        // with "Resource Access Blocked" is the lock, not the credentials.
        if (!(isRosterError(error, 'auth_failed') && lockSign(error.message))) throw error;
        res = { status: 401, headers: {}, body: { message: lockSign(error.message) } };
      }
      if (isLockAnswer(res)) {
        const now = this.#now();
        this.#lockSince ??= now;
        const heldMs = now - this.#lockSince;
        const sign = lockSign(res.body) ?? 'locked';
        if (heldMs > this.#lock.editLockGiveUpMs) {
          throw new RosterError('conflict', `${this.http.appName}: ${req.method} ${req.path} met ZIA's org edit lock (${sign}) for ${Math.round(heldMs / 60_000)} minutes without a break; another admin session or a stuck activation holds it; nothing was done`, { appName: this.http.appName, method: req.method, path: req.path, status: res.status, code: sign });
        }
        const wait = Math.max(this.#lock.editLockBaseMs / 2, backoffDelay(attempt, this.#lock.editLockBaseMs, this.#lock.editLockCapMs));
        if (waited + wait <= this.#lock.editLockInPlaceMs) {
          waited += wait;
          await sleep(wait);
          continue;
        }
        const retryAfterMs = Math.min(this.#lock.editLockRescheduleBaseMs * 2 ** this.#handedOver, this.#lock.editLockRescheduleCapMs);
        this.#handedOver += 1;
        throw new RosterError('rate_limited', `${this.http.appName}: ZIA's org edit lock is held (${sign}, ${Math.round(heldMs / 1000)} s so far); ${req.method} ${req.path} was not done and waits ${Math.ceil(retryAfterMs / 1000)} s before trying again`, { appName: this.http.appName, retryAfterMs, method: req.method, path: req.path, status: res.status, code: sign });
      }
      this.#lockSince = undefined;
      this.#handedOver = 0;
      if (res.status === 403 && codeOf(res.body) === zscalerManifest.errorCodes.idpManaged) {
        throw new RosterError(
          'forbidden',
          `${this.http.appName}: ${req.method} ${req.path} refused (SCOPE_LIMITED: ${errorDetail(res.body) ?? 'not editable'}); users synced from the identity provider can only be changed there`,
          { appName: this.http.appName, method: req.method, path: req.path, status: 403 },
        );
      }
      if ((res.status === 403 || res.status === 409 || res.status === 412) && !req.accept?.includes(res.status)) {
        const label = this.http.url(req.path).pathname;
        throw httpError(this.http.appName, req.method, label, res.status, res.body, { code: codeOf(res.body), attempts: attempt });
      }
      return res;
    }
  }

  #check<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const problem = parsed.error.issues[0];
    throw new RosterError('invalid_response', `${this.http.appName}: ${what} answered something roster cannot read (${problem?.path.join('.') || 'body'}: ${problem?.message})`);
  }
}

/** Which of the lock's signs an answer carries (in its code, message or text), if any. */
export function lockSign(body: unknown): string | undefined {
  const text = (typeof body === 'string' ? body : JSON.stringify(body ?? '')).toLowerCase();
  return zscalerManifest.editLock.signs.find((sign) => text.includes(sign.toLowerCase()));
}

function isLockAnswer(res: HttpResponse): boolean {
  return (zscalerManifest.editLock.statuses as readonly number[]).includes(res.status) && lockSign(res.body) !== undefined;
}

function codeOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const code = (body as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
