// One token system for machines: SCIM push tokens (an IdP pushing people), API tokens (a script
// with a role) and agent tokens (an MCP agent). The value is `<prefix>_<id>_<secret>`; only its
// sha256 is stored, a presented value is found by its id and compared by hash in constant time,
// and a revoked token is refused from the next request (no cache here).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RosterError } from '../errors.ts';
import type { Queryable } from '../store/database.ts';
import { createScimToken, scimPushScope, type ScimToken } from '../store/scim-tokens.ts';
import { roles, type Identity, type Role } from './identity.ts';

export const tokenKinds = ['scim', 'api', 'agent'] as const;
export type TokenKind = (typeof tokenKinds)[number];

/** A token of any kind: a SCIM push token's record, with its kind and role. */
export interface Token extends ScimToken {
  kind: TokenKind;
  /** api and agent tokens: the role they act with (an agent is capped further by can()). */
  role: Role | null;
}

interface TokenRow {
  id: string;
  name: string;
  hash: string;
  kind: TokenKind;
  role: Role | null;
  scope: string;
  created_by: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toToken = (r: TokenRow): Token => ({ id: r.id, name: r.name, kind: r.kind, role: r.role, scope: r.scope, createdBy: r.created_by, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at });

const prefixes: Record<Exclude<TokenKind, 'scim'>, string> = { api: 'rat', agent: 'rag' };
const VALUE = /^(rat|rag)_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const hashOf = (value: string) => createHash('sha256').update(value).digest();

/** last_used_at is written at most this often per token. */
const TOUCH_EVERY_SECONDS = 60;

export interface NewToken {
  name: string;
  kind: TokenKind;
  /** Required for api tokens; agent tokens default to operator (an agent can at most read, plan and request). */
  role?: Role | undefined;
  createdBy: string;
}

export function tokenNameProblem(name: string): string | undefined {
  return NAME.test(name) ? undefined : `token names are letters, digits, ., _ and - (up to 64), such as entra-prod; not ${JSON.stringify(name.slice(0, 70))}`;
}

/** Makes a token; its value is in the answer only, never stored. */
export async function createToken(db: Queryable, input: NewToken): Promise<{ token: Token; value: string }> {
  const nameProblem = tokenNameProblem(input.name);
  if (nameProblem) throw new RosterError('input_invalid', nameProblem);
  if (!(tokenKinds as readonly string[]).includes(input.kind)) throw new RosterError('input_invalid', `token kinds are ${tokenKinds.join(', ')}; not ${JSON.stringify(input.kind)}`);
  if (input.role !== undefined && !(roles as readonly string[]).includes(input.role)) throw new RosterError('input_invalid', `roles are ${roles.join(', ')}; not ${JSON.stringify(input.role)}`);
  if (input.kind === 'scim') {
    if (input.role !== undefined) throw new RosterError('input_invalid', 'a SCIM push token has no role (--role is for --kind api or agent)');
    const made = await createScimToken(db, input.name, input.createdBy);
    return { token: { ...made.token, kind: 'scim', role: null }, value: made.value };
  }
  if (input.kind === 'api' && input.role === undefined) throw new RosterError('input_invalid', `an API token needs a role: --role ${roles.join('|')}`);
  const role = input.role ?? 'operator';
  const id = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
  const value = `${prefixes[input.kind]}_${id}_${randomBytes(32).toString('base64url')}`;
  const scope = `${input.kind}:${role}`;
  const [row] = await db.query<TokenRow>(
    'insert into scim_tokens (id, name, hash, scope, kind, role, created_by) values ($1, $2, $3, $4, $5, $6, $7) returning *',
    [id, input.name, hashOf(value).toString('hex'), scope, input.kind, role, input.createdBy],
  );
  if (!row) throw new Error('token not saved');
  return { token: toToken(row), value };
}

export async function listTokens(db: Queryable): Promise<Token[]> {
  return (await db.query<TokenRow>('select * from scim_tokens order by created_at, id')).map(toToken);
}

/** Revokes the live token with this name or id; answers it, or undefined when there is none. */
export async function revokeToken(db: Queryable, nameOrId: string): Promise<Token | undefined> {
  const [row] = await db.query<TokenRow>('update scim_tokens set revoked_at = now() where revoked_at is null and (id = $1 or lower(name) = lower($1)) returning *', [nameOrId]);
  return row ? toToken(row) : undefined;
}

export function identityOfToken(token: Pick<Token, 'id' | 'name' | 'kind' | 'role' | 'createdBy'>): Identity {
  const role = token.role ?? 'viewer';
  if (token.kind === 'agent') return { kind: 'agent', id: token.id, actor: `agent:${token.name}`, role };
  return { kind: 'token', id: token.id, actor: `token:${token.name}`, role, owner: token.createdBy };
}

/**
 * The identity a presented API or agent token acts as, or undefined: unknown, revoked, a wrong
 * secret, or another kind (a SCIM push token is no API credential). Every path does the same hashing.
 */
export async function verifyToken(db: Queryable, presented: string): Promise<Identity | undefined> {
  const match = VALUE.exec(presented);
  const kind = match?.[1] === 'rat' ? 'api' : 'agent';
  const [row] = match ? await db.query<TokenRow>('select * from scim_tokens where id = $1 and kind = $2 and revoked_at is null', [match[2], kind]) : [];
  const expected = row ? Buffer.from(row.hash, 'hex') : hashOf('no such token');
  const equal = timingSafeEqual(hashOf(presented), expected);
  if (!row || !equal || row.scope === scimPushScope) return undefined;
  await db.query(`update scim_tokens set last_used_at = now() where id = $1 and (last_used_at is null or last_used_at < now() - interval '${TOUCH_EVERY_SECONDS} seconds')`, [row.id]);
  return identityOfToken(toToken(row));
}
