// What every API route shares: who may call it, the error answers it documents, and one place that
// turns a caller's identity into 401/403 (the sign-in middleware's requirePermission).
import type { Permission } from '../../auth/identity.ts';
import { requirePermission } from '../../auth/middleware.ts';
import { errorSchema } from './errors.ts';

const errorText: Record<number, string> = {
  400: 'The request is malformed (the message names each problem)',
  401: 'Nobody signed in: send the session cookie or an API token',
  403: 'Signed in, but this role may not do this',
  404: 'No such resource',
  409: 'The resource is not in a state that allows this (already decided, stale, rejected)',
  422: 'Well-formed, but roster cannot carry it out (an unknown app or person, no apps configured)',
};

/** The documented error answers of a route: 400, 401 and 403 always, plus the ones given. */
export function errorResponses(...extra: (404 | 409 | 422)[]) {
  return Object.fromEntries([400, 401, 403, ...extra].map((status) => [status, { description: errorText[status] ?? 'Error', content: { 'application/json': { schema: errorSchema } } }]));
}

/** 401 when nobody signed in, 403 when the role may not: the sign-in middleware's gate. */
export const allow = (permission: Permission) => requirePermission(permission);

export const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
