// SCIM push tokens. The value is `rst_<id>_<secret>`; only sha256(value) is stored, and a
// presented token is found by its id and compared by hash in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from './database.ts';

export const scimPushScope = 'scim:push';

export interface ScimToken {
  id: string;
  name: string;
  scope: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

interface TokenRow {
  id: string;
  name: string;
  hash: string;
  scope: string;
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toToken = (r: TokenRow): ScimToken => ({ id: r.id, name: r.name, scope: r.scope, createdBy: r.created_by, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at });

const hashOf = (value: string) => createHash('sha256').update(value).digest();

const TOKEN = /^rst_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** Makes a token; the value is in the answer only, never stored. A live token with the same name is a unique violation. */
export async function createScimToken(db: Queryable, name: string, createdBy: string): Promise<{ token: ScimToken; value: string }> {
  const id = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
  const value = `rst_${id}_${randomBytes(32).toString('base64url')}`;
  const [row] = await db.query<TokenRow>('insert into scim_tokens (id, name, hash, scope, created_by) values ($1, $2, $3, $4, $5) returning *', [id, name, hashOf(value).toString('hex'), scimPushScope, createdBy]);
  if (!row) throw new Error('token not saved');
  return { token: toToken(row), value };
}

export async function listScimTokens(db: Queryable): Promise<ScimToken[]> {
  return (await db.query<TokenRow>('select * from scim_tokens order by created_at, id')).map(toToken);
}

/** Revokes the live token with this name or id; answers it, or undefined when there is none. */
export async function revokeScimToken(db: Queryable, nameOrId: string): Promise<ScimToken | undefined> {
  const [row] = await db.query<TokenRow>(
    'update scim_tokens set revoked_at = now() where revoked_at is null and (id = $1 or lower(name) = lower($1)) returning *',
    [nameOrId],
  );
  return row ? toToken(row) : undefined;
}

/** The live token a presented value is, or undefined. Unknown ids and wrong secrets take the same path. */
export async function verifyScimToken(db: Queryable, presented: string): Promise<ScimToken | undefined> {
  const match = TOKEN.exec(presented);
  const [row] = match ? await db.query<TokenRow>('select * from scim_tokens where id = $1 and revoked_at is null', [match[1]]) : [];
  const expected = row ? Buffer.from(row.hash, 'hex') : hashOf('no such token');
  const equal = timingSafeEqual(hashOf(presented), expected);
  return row && equal && row.scope === scimPushScope ? toToken(row) : undefined;
}

export async function touchScimToken(db: Queryable, id: string): Promise<void> {
  await db.query('update scim_tokens set last_used_at = now() where id = $1', [id]);
}
