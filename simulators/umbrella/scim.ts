import type { Context } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import { createScimSimulator, type ScimSimulator } from '../scim/index.ts';
import { ScimError } from '../scim/protocol.ts';
import { SCIM_PATH, type UmbrellaSimulatorSettings } from './settings.ts';

/** Umbrella's own SCIM user extension: `nativeObjectId` (the AD objectGUID). */
export const UMBRELLA_EXTENSION = 'urn:ietf:params:scim:schemas:extension:ciscoumbrella:2.0:User';

/** The user attributes Umbrella's SCIM keeps (its Entra attribute table); anything else is ignored. */
const USER_ATTRIBUTES = new Set(['schemas', 'id', 'username', 'externalid', 'active', 'displayname', 'name']);
const NAME_PARTS = new Set(['givenname', 'familyname', 'formatted']);

const scimType = 'application/scim+json';
function scimError(status: number, detail: string, type?: string): Response {
  return new Response(JSON.stringify(new ScimError(status, detail, type as never).toJSON()), { status, headers: { 'content-type': scimType } });
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A user body with only what Umbrella keeps; the extension's nativeObjectId taken out. */
function keepUmbrellaAttributes(body: Json): { body: Json; nativeObjectId: string | undefined; touched: boolean } {
  const out: Json = {};
  let nativeObjectId: string | undefined;
  let touched = false;
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === UMBRELLA_EXTENSION.toLowerCase()) {
      touched = true;
      const v = isObject(value) ? Object.entries(value).find(([k]) => k.toLowerCase() === 'nativeobjectid')?.[1] : undefined;
      if (typeof v === 'string') nativeObjectId = v;
      continue;
    }
    if (!USER_ATTRIBUTES.has(key.toLowerCase())) continue;
    if (key.toLowerCase() === 'name' && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).filter(([k]) => NAME_PARTS.has(k.toLowerCase())));
    else if (key.toLowerCase() === 'schemas' && Array.isArray(value)) out[key] = value.filter((s) => typeof s !== 'string' || s.toLowerCase() !== UMBRELLA_EXTENSION.toLowerCase());
    else out[key] = value;
  }
  return { body: out, nativeObjectId, touched };
}

/**
 * Umbrella's SCIM API (`/identity/v2/scim`): the strict SCIM simulator behind a layer with
 * Umbrella's ways — a static bearer token; `userName` the only user filter and `displayName` the
 * only group filter, `eq` only; the ciscoumbrella extension's `nativeObjectId`; other user
 * attributes ignored; at most `scimMaxGroups` groups; DELETE of a user only deactivates it.
 */
export class UmbrellaScim {
  readonly scim: ScimSimulator;
  /** user id → nativeObjectId */
  readonly nativeIds = new Map<string, string>();
  readonly #settings: UmbrellaSimulatorSettings;

  constructor(settings: UmbrellaSimulatorSettings) {
    this.#settings = settings;
    this.scim = createScimSimulator(
      { token: settings.scimToken, userGroups: false, supportedFilterOperators: ['eq'], filterableAttributes: ['userName', 'displayName'] },
      { basePath: SCIM_PATH },
    );
  }

  /** Answers one request under SCIM_PATH. */
  async handle(c: Context<SimulatorEnv>): Promise<Response> {
    this.scim.settings.token = this.#settings.scimToken;
    const store = this.scim.store;
    const url = new URL(c.req.url);
    const rest = url.pathname.slice(SCIM_PATH.length);
    const [, type, id] = /^\/(Users|Groups)(?:\/([^/]+))?\/?$/.exec(rest) ?? [];
    const method = c.req.method;
    const authorized = (c.req.header('authorization') ?? '').trim() === `Bearer ${this.#settings.scimToken}`;
    let text = method === 'GET' || method === 'DELETE' ? undefined : await c.req.text();
    let nativeObjectId: string | undefined;
    let nativeTouched = false;

    if (authorized && type) {
      const filter = url.searchParams.get('filter');
      if (filter !== null && method === 'GET' && !id) {
        const attribute = filter.trim().split(/\s+/, 1)[0]?.toLowerCase();
        const allowed = type === 'Users' ? 'username' : 'displayname';
        if (attribute !== allowed) return scimError(400, `Filtering ${type} is supported on ${type === 'Users' ? 'userName' : 'displayName'} only`, 'invalidFilter');
      }
      if (type === 'Groups' && method === 'POST' && store.groupCount >= this.#settings.scimMaxGroups) {
        return scimError(400, `An organization can hold at most ${this.#settings.scimMaxGroups} groups`);
      }
      if (type === 'Users' && id && method === 'DELETE' && this.#settings.scimDelete === 'deactivate') {
        const user = store.getUser(id);
        if (!user) return scimError(404, `User ${id} not found`);
        store.replaceUser(id, { ...user.attrs, active: false });
        return new Response(null, { status: 204 });
      }
      if (type === 'Users' && text !== undefined && (method === 'POST' || method === 'PUT')) {
        const parsed = parse(text);
        if (isObject(parsed)) {
          const kept = keepUmbrellaAttributes(parsed);
          ({ nativeObjectId } = kept);
          nativeTouched = true;
          text = JSON.stringify(kept.body);
        }
      }
      if (type === 'Users' && id && text !== undefined && method === 'PATCH') {
        const parsed = parse(text);
        if (isObject(parsed) && Array.isArray(parsed.Operations)) {
          const ops: unknown[] = [];
          for (const op of parsed.Operations as Json[]) {
            const path = typeof op.path === 'string' ? op.path : undefined;
            if (path?.toLowerCase().startsWith(UMBRELLA_EXTENSION.toLowerCase())) {
              nativeTouched = true;
              nativeObjectId = String(op.op).toLowerCase() === 'remove' ? undefined : typeof op.value === 'string' ? op.value : isObject(op.value) && typeof op.value.nativeObjectId === 'string' ? op.value.nativeObjectId : undefined;
              continue;
            }
            const root = path?.split(/[.[]/, 1)[0]?.toLowerCase();
            if (root !== undefined && !USER_ATTRIBUTES.has(root)) continue;
            if (path === undefined && isObject(op.value)) {
              const kept = keepUmbrellaAttributes(op.value);
              if (kept.touched) ({ nativeObjectId, touched: nativeTouched } = kept);
              ops.push({ ...op, value: kept.body });
              continue;
            }
            ops.push(op);
          }
          if (ops.length === 0) {
            if (!store.getUser(id)) return scimError(404, `User ${id} not found`);
            this.#setNative(id, nativeTouched, nativeObjectId);
            return this.#decorate(await this.#forward(c, url, 'GET', undefined));
          }
          text = JSON.stringify({ ...parsed, Operations: ops });
        }
      }
    }

    const res = await this.#forward(c, url, method, text);
    if (type === 'Users' && res.status >= 200 && res.status < 300 && (method === 'POST' || method === 'PUT' || method === 'PATCH')) {
      const created = method === 'POST' ? ((await res.clone().json()) as Json).id : id;
      if (typeof created === 'string') this.#setNative(created, nativeTouched || method !== 'PATCH', nativeObjectId);
    }
    return type === 'Users' ? this.#decorate(res) : res;
  }

  #setNative(id: string, touched: boolean, value: string | undefined): void {
    if (!touched) return;
    if (value === undefined) this.nativeIds.delete(id);
    else this.nativeIds.set(id, value);
  }

  async #forward(c: Context<SimulatorEnv>, url: URL, method: string, body: string | undefined): Promise<Response> {
    const headers = new Headers(c.req.raw.headers);
    headers.delete('content-length');
    const request = new Request(url, { method, headers, body });
    return this.scim.app.fetch(request, c.env);
  }

  /** Adds the ciscoumbrella extension to every user in an answer. */
  async #decorate(res: Response): Promise<Response> {
    if (res.status === 204 || !(res.headers.get('content-type') ?? '').includes('json')) return res;
    const body = (await res.json()) as Json;
    const add = (user: Json) => {
      const native = typeof user.id === 'string' ? this.nativeIds.get(user.id) : undefined;
      if (native === undefined) return user;
      return { ...user, schemas: [...(Array.isArray(user.schemas) ? user.schemas : []), UMBRELLA_EXTENSION], [UMBRELLA_EXTENSION]: { nativeObjectId: native } };
    };
    const out = Array.isArray(body.Resources) ? { ...body, Resources: (body.Resources as Json[]).map(add) } : add(body);
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    return new Response(JSON.stringify(out), { status: res.status, headers });
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
