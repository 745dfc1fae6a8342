// Helpers for the simulator's own tests.
import type { TestContext } from 'node:test';
import { startUmbrellaSimulator, type RunningUmbrellaSimulator } from './simulator.ts';
import type { UmbrellaSimulatorOptions } from './settings.ts';

export const MGMT = { key: 'mgmt-key', secret: 'mgmt-secret', kind: 'management' as const };
export const REPORTING = { key: 'rep-key', secret: 'rep-secret', kind: 'reporting' as const };
export const V2KEY = { key: 'v2-key', secret: 'v2-secret', scopes: ['admin.users:read', 'admin.users:write', 'admin.roles:read'] };

export async function startForTest(t: TestContext, options: UmbrellaSimulatorOptions = {}): Promise<RunningUmbrellaSimulator> {
  const sim = await startUmbrellaSimulator({ v1Keys: [MGMT, REPORTING], v2Keys: [V2KEY], scimToken: 'scim-token', ...options });
  t.after(() => sim.close());
  return sim;
}

export const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  body: any;
}

/** One request; JSON in and out. */
export async function call(url: string, method: string, authorization: string | undefined, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (authorization) headers['authorization'] = authorization;
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** An API v2 bearer token for a key. */
export async function v2Token(sim: RunningUmbrellaSimulator, key = V2KEY): Promise<string> {
  const res = await call(sim.tokenUrl, 'POST', basic(key.key, key.secret), 'grant_type=client_credentials', 'application/x-www-form-urlencoded');
  if (res.status !== 200) throw new Error(`token: ${res.status}`);
  return res.body.access_token as string;
}
