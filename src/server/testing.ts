// Test support for the inbound SCIM server: a token, the app, and a client that speaks to it
// through Hono's fetch (no sockets), as an IdP would.
import type { Hono } from 'hono';
import type { FanOut } from '../engine/inbound.ts';
import type { Database } from '../store/database.ts';
import { createScimToken } from '../store/scim-tokens.ts';
import { createServerApp } from './app.ts';

export interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
  headers: Headers;
}

export interface TestClient {
  token: string;
  tokenName: string;
  app: Hono<never>;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** A raw body (malformed JSON and the like). */
  raw(method: string, path: string, body: string, headers?: Record<string, string>): Promise<Answer>;
}

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export const patchOf = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

export async function scimTestClient(db: Database, options: { fanOut?: FanOut; tokenName?: string; query?: string; tokenCacheMs?: number } = {}): Promise<TestClient> {
  const tokenName = options.tokenName ?? 'entra-prod';
  const { value } = await createScimToken(db, tokenName, 'operator:test');
  const app = createServerApp({ db, fanOut: options.fanOut, ...(options.tokenCacheMs === undefined ? {} : { tokenCacheMs: options.tokenCacheMs }) }) as unknown as Hono<never>;
  const raw = async (method: string, path: string, body: string | undefined, headers: Record<string, string> = {}): Promise<Answer> => {
    const query = options.query ? `${path.includes('?') ? '&' : '?'}${options.query}` : '';
    const response = await app.request(`http://127.0.0.1/scim/v2${path}${query}`, {
      method,
      headers: { authorization: `Bearer ${value}`, 'content-type': 'application/scim+json', ...headers },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, headers: response.headers };
  };
  return {
    token: value,
    tokenName,
    app,
    request: (method, path, body, headers) => raw(method, path, body === undefined ? undefined : JSON.stringify(body), headers),
    raw: (method, path, body, headers) => raw(method, path, body, headers),
  };
}
