import { NETSKOPE_SCIM_PATH } from './settings.ts';

/** Whether a path is on the SCIM API (else the REST API v2). */
export function isScimPath(path: string): boolean {
  return path === NETSKOPE_SCIM_PATH || path.startsWith(`${NETSKOPE_SCIM_PATH}/`);
}

/** The REST API v2 error shape: `{"status":"error","errorCode":…,"errors":[…]}`. */
export function restError(status: number, errors: string[], errorCode = 'General Error', headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ status: 'error', errorCode, errors }), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A 403 with nothing in it: what Netskope answers to a token of the wrong kind. */
export function bareForbidden(): Response {
  return new Response(null, { status: 403 });
}

export function restJson(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
