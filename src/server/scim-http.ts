// The HTTP side of SCIM: reading requests (JSON, paging, sorting, projections, ETags) and
// answering in SCIM's media type and error shape.
import type { Context } from 'hono';
import { splitAttributePath } from '../scim/attribute-path.ts';
import { ScimError } from '../scim/errors.ts';
import { parseFilter, type Filter } from '../scim/filter.ts';
import { readAttributeList } from '../scim/projection.ts';
import type { ResourceTypeDefinition } from '../scim/resource-schemas.ts';
import { checkDepth } from '../scim/validate.ts';
import { SCIM_CONTENT_TYPE } from '../scim/schemas.ts';
import type { ListQuery } from '../store/directory.ts';

/** Largest page roster answers (ServiceProviderConfig filter.maxResults). */
export const maxResults = 1000;
export const defaultCount = 100;
/** Largest request body accepted (ServiceProviderConfig bulk is off; a group of 10,000 members fits). */
export const maxBodyBytes = 1024 * 1024;

export function scimJson(c: Context, status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': `${SCIM_CONTENT_TYPE}; charset=utf-8`, ...headers } });
}

export function scimErrorResponse(c: Context, error: ScimError, headers: Record<string, string> = {}): Response {
  return scimJson(c, error.status, error.toJSON(), headers);
}

/** The request body as JSON: 400 invalidSyntax for anything else, 413 past the size limit. */
export async function readJson(c: Context): Promise<unknown> {
  const length = Number(c.req.header('content-length') ?? '0');
  if (length > maxBodyBytes) throw new ScimError(413, `the body is larger than ${maxBodyBytes} bytes`);
  const text = await c.req.text();
  if (Buffer.byteLength(text) > maxBodyBytes) throw new ScimError(413, `the body is larger than ${maxBodyBytes} bytes`);
  if (text.trim() === '') throw new ScimError(400, 'the request needs a JSON body', 'invalidSyntax');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ScimError(400, `the body is not valid JSON: ${error instanceof Error ? error.message : 'parse error'}`, 'invalidSyntax');
  }
  checkDepth(value);
  return value;
}

export interface SearchParameters {
  filter?: string | undefined;
  startIndex?: unknown;
  count?: unknown;
  sortBy?: string | undefined;
  sortOrder?: string | undefined;
  attributes?: string | string[] | undefined;
  excludedAttributes?: string | string[] | undefined;
}

export interface Search {
  query: ListQuery;
  startIndex: number;
  attributes: ReturnType<typeof readAttributeList>;
  excluded: ReturnType<typeof readAttributeList>;
}

/** RFC 7644 §3.4.2: filter, sortBy/sortOrder, startIndex/count, attributes/excludedAttributes. */
export function readSearch(type: ResourceTypeDefinition, p: SearchParameters): Search {
  const filter: Filter | undefined = p.filter === undefined || p.filter.trim() === '' ? undefined : parseFilter(p.filter);
  const startIndex = Math.max(1, integer(p.startIndex, 'startIndex') ?? 1);
  const count = Math.min(maxResults, Math.max(0, integer(p.count, 'count') ?? defaultCount));
  let sort: ListQuery['sort'];
  if (p.sortBy !== undefined && p.sortBy.trim() !== '') {
    const path = splitAttributePath(p.sortBy.trim());
    if (typeof path === 'string') throw new ScimError(400, `sortBy: ${path}`, 'invalidValue');
    const order = (p.sortOrder ?? 'ascending').toLowerCase();
    if (order !== 'ascending' && order !== 'descending') throw new ScimError(400, `sortOrder must be "ascending" or "descending", not "${p.sortOrder}"`, 'invalidValue');
    sort = { by: p.sortBy.trim(), path, descending: order === 'descending' };
  }
  const list = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);
  return {
    query: { filter, sort, offset: startIndex - 1, count },
    startIndex,
    attributes: readAttributeList(list(p.attributes), type, 'attributes'),
    excluded: readAttributeList(list(p.excludedAttributes), type, 'excludedAttributes'),
  };
}

function integer(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d{1,9}$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n)) throw new ScimError(400, `${name} must be an integer, not ${JSON.stringify(value)}`, 'invalidValue');
  return n;
}

/** The resource's weak ETag, from its meta.version. */
export function etagOf(doc: Record<string, unknown>): string {
  const meta = doc.meta as { version?: string } | undefined;
  return meta?.version ?? '';
}

/** RFC 7644 §3.14: If-Match must name the current version (weakly compared), or be *. */
export function checkIfMatch(c: Context, doc: Record<string, unknown>): void {
  const header = c.req.header('if-match');
  if (header === undefined || header.trim() === '*') return;
  const current = strip(etagOf(doc));
  const listed = header.split(',').map((t) => strip(t.trim()));
  if (!listed.includes(current)) throw new ScimError(412, `the resource has changed: its version is ${etagOf(doc)}, not ${header}`);
}

export function notModified(c: Context, doc: Record<string, unknown>): boolean {
  const header = c.req.header('if-none-match');
  if (header === undefined) return false;
  const current = strip(etagOf(doc));
  return header.trim() === '*' || header.split(',').some((t) => strip(t.trim()) === current);
}

const strip = (tag: string) => tag.replace(/^W\//i, '');
