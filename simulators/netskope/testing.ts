// Helpers for the Netskope simulator's tests (and for anyone testing a Netskope client against it).
import type { TestContext } from 'node:test';
import { startNetskopeSimulator, type NetskopeSimulatorOptions, type RunningNetskopeSimulator } from './simulator.ts';

export const TEST_SCIM_TOKEN = 'scim-token-for-tests';
export const TEST_REST_TOKEN = 'rest-v2-token-for-tests';

/** Starts a simulator for one test (fixed tokens: SCIM, and REST v2 with `events`) and stops it after. */
export async function startForTest(t: TestContext, options: NetskopeSimulatorOptions = {}): Promise<RunningNetskopeSimulator> {
  const sim = await startNetskopeSimulator({ scimToken: TEST_SCIM_TOKEN, restTokens: [{ token: TEST_REST_TOKEN, scopes: ['events'] }], ...options });
  t.after(() => sim.close());
  return sim;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  body: any;
}

export interface CallOptions {
  /** The token to send; default the SCIM token. */
  token?: string;
  /** How to send it: Netskope's own header (default) or Authorization: Bearer. */
  as?: 'header' | 'bearer' | 'none';
}

/** A tiny client for the simulator: `path` is below the origin (e.g. /api/v2/scim/Users). */
export function client(sim: RunningNetskopeSimulator) {
  return async (method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<Answer> => {
    const token = options.token ?? sim.settings.scimToken;
    const headers: Record<string, string> = {};
    if (options.as === 'bearer') headers['authorization'] = `Bearer ${token}`;
    else if (options.as !== 'none') headers['netskope-api-token'] = token;
    if (body !== undefined) headers['content-type'] = 'application/scim+json';
    const res = await fetch(`${sim.origin}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  };
}
