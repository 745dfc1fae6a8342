import { obfuscateApiKey } from './obfuscate.ts';
import type { ZiaCredentials } from './auth.ts';
import { DEFAULT_CREDENTIALS } from './simulator.ts';

/** A fetch Response whose JSON body is loosely typed, for terse assertions in tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test JSON is asserted field by field
export type LooseResponse = Omit<Response, 'json'> & { json(): Promise<any> };

/** Logs in the way the vendor's SDKs do; returns the response and the `JSESSIONID=…` cookie pair. */
export async function ziaLogin(
  baseUrl: string,
  options: { credentials?: ZiaCredentials; timestamp?: number | string; apiKey?: string } = {},
): Promise<{ res: LooseResponse; cookie: string | undefined }> {
  const creds = options.credentials ?? DEFAULT_CREDENTIALS;
  const timestamp = options.timestamp ?? Date.now();
  const res = await fetch(`${baseUrl}/authenticatedSession`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      apiKey: options.apiKey ?? obfuscateApiKey(creds.apiKey, timestamp),
      username: creds.username,
      password: creds.password,
      timestamp,
    }),
  });
  const first = res.headers.getSetCookie()[0];
  const m = first ? /^(JSESSIONID=[^;]*);/.exec(first) : null;
  return { res, cookie: m?.[1] };
}

/** A tiny JSON client bound to one base URL and one set of auth headers. */
export function ziaClient(baseUrl: string, auth: Record<string, string>) {
  const call = (method: string, path: string, body?: unknown): Promise<LooseResponse> =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown) => call('POST', path, body),
    put: (path: string, body: unknown) => call('PUT', path, body),
    delete: (path: string) => call('DELETE', path),
  };
}

/** Logs in with the default credentials and returns a client on the session (throws if login fails). */
export async function ziaSession(baseUrl: string, credentials?: ZiaCredentials) {
  const { res, cookie } = await ziaLogin(baseUrl, credentials ? { credentials } : {});
  if (res.status !== 200 || !cookie) throw new Error(`login failed: ${res.status}`);
  return { cookie, ...ziaClient(baseUrl, { cookie }) };
}
