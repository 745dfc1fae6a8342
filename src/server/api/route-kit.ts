// What every API route shares: who may call it, the error answers it documents, and one place that
// turns a caller's identity into 401/403.
import type { MiddlewareHandler } from 'hono';
import { can, type Permission } from '../../auth/identity.ts';
import type { SurfaceEnv } from '../surface-options.ts';
import { ApiError, errorSchema } from './errors.ts';

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

/** Refuses a caller who is not signed in (401) or whose role lacks the permission (403). */
export function allow(permission: Permission): MiddlewareHandler<SurfaceEnv> {
  return async (c, next) => {
    const identity = c.var.identity;
    if (!identity) throw new ApiError('unauthenticated', 'sign in first, or send an API token as Authorization: Bearer <token>');
    if (!can(identity, permission)) throw new ApiError('forbidden', `${identity.actor} (role ${identity.role}${identity.kind === 'agent' ? ', an agent' : ''}) may not ${permission}`);
    await next();
  };
}

export const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
