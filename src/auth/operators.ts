// Operator accounts in the database: who may sign in, with which role.
import { randomBytes } from 'node:crypto';
import { RosterError } from '../errors.ts';
import type { Database, Queryable } from '../store/database.ts';
import { roles, type Identity, type Role } from './identity.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { normaliseUsername } from './usernames.ts';

export interface Operator {
  id: string;
  username: string;
  role: Role;
  email: string | null;
  hasPassword: boolean;
  oidcIssuer: string | null;
  oidcSubject: string | null;
  disabled: boolean;
  createdBy: string;
  createdAt: Date;
}

export interface OperatorRow {
  id: string;
  username: string;
  role: Role;
  password_hash: string | null;
  email: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  disabled_at: Date | null;
  created_by: string;
  created_at: Date;
}

export const toOperator = (r: OperatorRow): Operator => ({
  id: r.id,
  username: r.username,
  role: r.role,
  email: r.email,
  hasPassword: r.password_hash !== null,
  oidcIssuer: r.oidc_issuer,
  oidcSubject: r.oidc_subject,
  disabled: r.disabled_at !== null,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

export const operatorActor = (username: string) => `operator:${username}`;

export function identityOfOperator(operator: Pick<Operator, 'id' | 'username' | 'role'>): Identity {
  return { kind: 'user', id: operator.id, actor: operatorActor(operator.username), role: operator.role };
}

/** The username in its one normal form, or a clear input error. */
export function usernameOrThrow(input: string): string {
  const normal = normaliseUsername(input);
  if (!normal.ok) throw new RosterError('input_invalid', normal.problem);
  return normal.username;
}

export function roleOrThrow(input: string): Role {
  if (!(roles as readonly string[]).includes(input)) throw new RosterError('input_invalid', `roles are ${roles.join(', ')}; not ${JSON.stringify(input.slice(0, 40))}`);
  return input as Role;
}

export interface NewOperator {
  username: string;
  role: Role;
  password?: string | undefined;
  email?: string | undefined;
  createdBy: string;
}

/** Bootstraps and account writes take this lock, so "the first account is an admin" holds under races. */
const operatorsLock = 7428017;

/**
 * Adds an account. `bootstrap`: only when there is no account yet (then it must be an admin);
 * answers undefined when another account exists by then.
 */
export async function createOperator(db: Database, input: NewOperator, options: { bootstrap?: boolean } = {}): Promise<Operator | undefined> {
  const username = usernameOrThrow(input.username);
  const role = roleOrThrow(input.role);
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password);
    if (problem) throw new RosterError('input_invalid', problem);
  }
  const email = input.email?.trim().toLowerCase() || null;
  const hash = input.password === undefined ? null : await hashPassword(input.password);
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [operatorsLock]);
    if (options.bootstrap) {
      const [count] = await tx.query<{ n: number }>('select count(*)::int as n from operators');
      if ((count?.n ?? 0) > 0) return undefined;
      if (role !== 'admin') throw new RosterError('input_invalid', 'the first account must be an admin (--role admin)');
    }
    const [existing] = await tx.query<{ id: string }>('select id from operators where username = $1', [username]);
    if (existing) throw new RosterError('input_invalid', `an account named ${username} exists already`);
    const id = `op_${randomBytes(9).toString('base64url')}`;
    const [row] = await tx.query<OperatorRow>(
      'insert into operators (id, username, role, password_hash, email, created_by) values ($1, $2, $3, $4, $5, $6) returning *',
      [id, username, role, hash, email, input.createdBy],
    );
    if (!row) throw new Error('account not saved');
    return toOperator(row);
  });
}

export async function countOperators(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from operators');
  return row?.n ?? 0;
}

export async function operatorRowByUsername(db: Queryable, username: string): Promise<OperatorRow | undefined> {
  const normal = normaliseUsername(username);
  if (!normal.ok) return undefined;
  const [row] = await db.query<OperatorRow>('select * from operators where username = $1', [normal.username]);
  return row;
}

export async function getOperator(db: Queryable, username: string): Promise<Operator | undefined> {
  const row = await operatorRowByUsername(db, username);
  return row ? toOperator(row) : undefined;
}

export async function listOperators(db: Queryable): Promise<Operator[]> {
  return (await db.query<OperatorRow>('select * from operators order by username')).map(toOperator);
}

async function update(db: Queryable, username: string, set: string, params: unknown[]): Promise<Operator> {
  const name = usernameOrThrow(username);
  const [row] = await db.query<OperatorRow>(`update operators set ${set}, updated_at = now() where username = $1 returning *`, [name, ...params]);
  if (!row) throw new RosterError('not_found', `no account named ${name}; roster user list shows them`);
  return toOperator(row);
}

export function setOperatorRole(db: Queryable, username: string, role: Role): Promise<Operator> {
  return update(db, username, 'role = $2', [roleOrThrow(role)]);
}

/** Disables (or enables) an account; a disabled account's sessions end and it cannot sign in. */
export async function setOperatorDisabled(db: Queryable, username: string, disabled: boolean): Promise<Operator> {
  const operator = await update(db, username, disabled ? 'disabled_at = coalesce(disabled_at, now())' : 'disabled_at = null', []);
  if (disabled) await db.query('update operator_sessions set revoked_at = now() where operator_id = $1 and revoked_at is null', [operator.id]);
  return operator;
}

export async function setOperatorPassword(db: Queryable, username: string, password: string): Promise<Operator> {
  const problem = passwordProblem(password);
  if (problem) throw new RosterError('input_invalid', problem);
  return update(db, username, 'password_hash = $2', [await hashPassword(password)]);
}

export async function operatorByOidcSubject(db: Queryable, issuer: string, subject: string): Promise<OperatorRow | undefined> {
  const [row] = await db.query<OperatorRow>('select * from operators where oidc_issuer = $1 and oidc_subject = $2', [issuer, subject]);
  return row;
}

/** An account with this email and no OIDC link yet (the one a first OIDC sign-in links to). */
export async function unlinkedOperatorByEmail(db: Queryable, email: string): Promise<OperatorRow | undefined> {
  const rows = await db.query<OperatorRow>('select * from operators where lower(email) = lower($1) and oidc_subject is null', [email.trim()]);
  return rows.length === 1 ? rows[0] : undefined;
}

export async function linkOidc(db: Queryable, operatorId: string, issuer: string, subject: string): Promise<void> {
  await db.query('update operators set oidc_issuer = $2, oidc_subject = $3, updated_at = now() where id = $1 and oidc_subject is null', [operatorId, issuer, subject]);
}
