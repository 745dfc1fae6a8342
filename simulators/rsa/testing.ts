// Helpers for the RSA simulator's tests (and for anyone testing an RSA client against it).
import type { TestContext } from 'node:test';
import { startRsaSimulator, type RsaSimulatorOptions, type RunningRsaSimulator } from './simulator.ts';

export const TEST_SECRET = 'rsa-client-secret-for-tests';
export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Starts a simulator for one test (fixed client secret, identity source `ud1`) and stops it after. */
export async function startForTest(t: TestContext, options: RsaSimulatorOptions = {}): Promise<RunningRsaSimulator> {
  const sim = await startRsaSimulator({ clientSecret: TEST_SECRET, identitySourceId: 'ud1', ...options });
  t.after(() => sim.close());
  return sim;
}

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  body: any;
}

/** A tiny client: `path` is below the Base URI (e.g. /Users); the published secret unless another is given. */
export function client(sim: RunningRsaSimulator) {
  return async (method: string, path: string, body?: unknown, secret: string | null = sim.settings.clientSecret): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (secret !== null) headers['authorization'] = `Bearer ${secret}`;
    if (body !== undefined) headers['content-type'] = 'application/scim+json';
    const res = await fetch(`${sim.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
}

/** A user body RSA takes: userName and a work email, with optional extras. */
export function rsaUser(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [USER], userName, emails: [{ value: userName, type: 'work', primary: true }], active: true, ...extra };
}
