import type { Context } from 'hono';
import { ScimError, SCIM_CONTENT_TYPE } from './protocol.ts';

/** A JSON answer with the SCIM media type. */
export function scimJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': SCIM_CONTENT_TYPE, ...headers } });
}

export function scimErrorResponse(error: ScimError, headers: Record<string, string> = {}): Response {
  return scimJson(error.toJSON(), error.status, headers);
}

const JSON_TYPES = new Set(['application/scim+json', 'application/json']);

/**
 * Reads a request body as a JSON object: the Content-Type must be application/scim+json or
 * application/json (else 415), and the text must parse (else 400 invalidSyntax).
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!JSON_TYPES.has(type)) {
    throw new ScimError(415, `Content-Type must be ${SCIM_CONTENT_TYPE} or application/json, got '${type || 'none'}'`);
  }
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ScimError(400, `Request body is not valid JSON: ${(error as Error).message}`, 'invalidSyntax');
  }
}

/** Whether an If-Match / If-None-Match header value names `etag` (weak comparison, `*` matches all). */
export function etagListMatches(header: string, etag: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === wanted);
}

/** Throws 412 when the request carries an If-Match that does not name the current version. */
export function checkIfMatch(c: Context, etag: string, enabled: boolean): void {
  const header = c.req.header('if-match');
  if (!enabled || header === undefined) return;
  if (!etagListMatches(header, etag)) {
    throw new ScimError(412, `If-Match ${header} does not match the current version ${etag}`);
  }
}
