// Helpers for the simulator's own tests (and for anyone testing a SCIM client against it).
import type { TestContext } from 'node:test';
import { SCIM } from './protocol.ts';
import { startScimSimulator, type RunningScimSimulator, type StartOptions } from './simulator.ts';

/** Starts a simulator for one test and stops it when the test ends. */
export async function startForTest(t: TestContext, options: StartOptions = {}): Promise<RunningScimSimulator> {
  const simulator = await startScimSimulator({ token: 'test-token', ...options });
  t.after(() => simulator.close());
  return simulator;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  body: any;
}

export interface ApiOptions {
  headers?: Record<string, string>;
  /** Send no Authorization header. */
  anonymous?: boolean;
  /** Send this text as the body instead of JSON-encoding `body`. */
  raw?: string;
}

/** A tiny SCIM client over fetch, authenticated with the simulator's current token. */
export function api(simulator: RunningScimSimulator) {
  return async (method: string, path: string, body?: unknown, options: ApiOptions = {}): Promise<ApiAnswer> => {
    const headers: Record<string, string> = {};
    if (!options.anonymous) headers['authorization'] = `Bearer ${simulator.settings.token}`;
    const text = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (text !== undefined) headers['content-type'] = 'application/scim+json';
    const res = await fetch(`${simulator.baseUrl}${path}`, { method, headers: { ...headers, ...options.headers }, body: text });
    const answer = await res.text();
    return { status: res.status, headers: res.headers, body: answer ? JSON.parse(answer) : undefined };
  };
}

/** A minimal valid User body. */
export function userBody(userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemas: [SCIM.user], userName, active: true, ...extra };
}

export function groupBody(displayName: string, memberIds: string[] = []): Record<string, unknown> {
  const body: Record<string, unknown> = { schemas: [SCIM.group], displayName };
  if (memberIds.length > 0) body['members'] = memberIds.map((value) => ({ value }));
  return body;
}

export function patchBody(...operations: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [SCIM.patchOp], Operations: operations };
}

/** A response's JSON body, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
export async function json(res: Response): Promise<any> {
  return res.json();
}
