import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { RosterError } from '../../errors.ts';
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
  page: number;
  pageSize: number;
  name?: string;
  dept?: string;
  group?: string;
  search?: string;
}

export interface ZiaClientOptions {
  /** Attempts for a write refused with 409 EDIT_LOCK_NOT_AVAILABLE (an activation is running). Default 10. */
  editLockAttempts?: number | undefined;
  /** Backoff base and cap for edit-lock retries. Default 250 ms, 10 s. */
  editLockBaseMs?: number | undefined;
  editLockCapMs?: number | undefined;
}

/** The ZIA user API (legacy /api/v1 or OneAPI /zia/api/v1), typed, every answer checked. */
export class ZiaClient {
  readonly http: HttpClient;
  readonly #editLockAttempts: number;
  readonly #editLockBaseMs: number;
  readonly #editLockCapMs: number;
  /** 409 EDIT_LOCK_NOT_AVAILABLE answers sat out so far. */
  editLockRetries = 0;

  constructor(http: HttpClient, options: ZiaClientOptions = {}) {
    this.http = http;
    this.#editLockAttempts = options.editLockAttempts ?? 10;
    this.#editLockBaseMs = options.editLockBaseMs ?? 250;
    this.#editLockCapMs = options.editLockCapMs ?? 10_000;
  }

  async listUsers(query: UserListQuery, priority?: number): Promise<ZiaUser[]> {
    const res = await this.http.request({ method: 'GET', path: '/users', query: { ...query }, priority });
    return this.#check(z.array(ziaUserSchema), res.body, 'GET /users');
  }

  async getUser(id: number, priority?: number): Promise<ZiaUser | undefined> {
    const res = await this.http.request({ method: 'GET', path: `/users/${id}`, accept: [404], priority });
    return res.status === 404 ? undefined : this.#check(ziaUserSchema, res.body, 'GET /users/{id}');
  }

  async createUser(user: ZiaUserWrite, priority: number = priorities.joinerMover): Promise<ZiaUser> {
    const res = await this.#write({ method: 'POST', path: '/users', body: user, priority });
    return this.#check(ziaUserSchema, res.body, 'POST /users');
  }

  /** PUT: a full replace. Every field left out is reset by the app, so send the whole record. */
  async replaceUser(id: number, user: ZiaUserWrite, priority: number = priorities.joinerMover): Promise<ZiaUser> {
    const res = await this.#write({ method: 'PUT', path: `/users/${id}`, body: { ...user, id }, priority });
    return this.#check(ziaUserSchema, res.body, 'PUT /users/{id}');
  }

  async deleteUser(id: number): Promise<void> {
    await this.#write({ method: 'DELETE', path: `/users/${id}`, priority: priorities.leaver });
  }

  /** Deletes up to 500 users in one call. Unknown ids are skipped by the app without a word. */
  async bulkDeleteUsers(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    if (ids.length > zscalerManifest.bulkDeleteMax) {
      throw new RosterError('input_invalid', `${this.http.appName}: bulkDelete takes at most ${zscalerManifest.bulkDeleteMax} ids, not ${ids.length}`);
    }
    await this.#write({ method: 'POST', path: '/users/bulkDelete', body: { ids }, priority: priorities.leaver });
  }

  async listDepartments(): Promise<ZiaNamed[]> {
    return this.#listAll('/departments');
  }

  async listGroups(): Promise<ZiaNamed[]> {
    return this.#listAll('/groups');
  }

  async status(): Promise<ZiaActivationStatus> {
    const res = await this.http.request({ method: 'GET', path: '/status', priority: priorities.joinerMover });
    return this.#check(statusSchema, res.body, 'GET /status').status;
  }

  /** Starts an activation of everything staged; answers the status right after. */
  async activate(): Promise<ZiaActivationStatus> {
    const res = await this.#write({ method: 'POST', path: '/status/activate', priority: priorities.leaver });
    return this.#check(statusSchema, res.body, 'POST /status/activate').status;
  }

  async #listAll(path: string): Promise<ZiaNamed[]> {
    const pageSize = zscalerManifest.paging.maxPageSize;
    const all: ZiaNamed[] = [];
    for (let page = 1; ; page += 1) {
      const res = await this.http.request({ method: 'GET', path, query: { page, pageSize } });
      const items = this.#check(z.array(namedSchema), res.body, `GET ${path}`);
      all.push(...items);
      if (items.length < pageSize) return all;
    }
  }

  /**
   * A write, sitting out 409 EDIT_LOCK_NOT_AVAILABLE (an activation or another admin's edit is
   * running; nothing was done) with backoff, and turning ZIA's refusals into plain words.
   */
  async #write(req: HttpRequest): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt += 1) {
      const res = await this.http.request({ ...req, accept: [403, 409] });
      if (res.status === 409 && codeOf(res.body) === zscalerManifest.errorCodes.editLock && attempt < this.#editLockAttempts) {
        this.editLockRetries += 1;
        await sleep(Math.max(this.#editLockBaseMs / 2, backoffDelay(attempt, this.#editLockBaseMs, this.#editLockCapMs)));
        continue;
      }
      if (res.status === 403 && codeOf(res.body) === zscalerManifest.errorCodes.idpManaged) {
        throw new RosterError(
          'forbidden',
          `${this.http.appName}: ${req.method} ${req.path} refused (SCOPE_LIMITED: ${errorDetail(res.body) ?? 'not editable'}); users synced from the identity provider can only be changed there`,
          { appName: this.http.appName, method: req.method, path: req.path, status: 403 },
        );
      }
      if (res.status === 403 || res.status === 409) {
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

function codeOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const code = (body as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
