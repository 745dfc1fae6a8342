// Who runs a CLI command: the session `roster login` left in the roster home, or ROSTER_TOKEN (an
// API token). Write commands need an identity with the right permission; nothing else counts.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { can, type Identity, type Permission } from '../auth/identity.ts';
import { resolveSession, type LiveSession } from '../auth/sessions.ts';
import { verifyToken } from '../auth/tokens.ts';
import { RosterError } from '../errors.ts';
import type { Queryable } from '../store/database.ts';

export const signInFirst = 'sign in first: roster login, or set ROSTER_TOKEN';

/** The file `roster login` keeps its session value in (mode 0600): only the value, whose hash the database holds. */
export const credentialPath = (home: string) => join(home, 'cli-session');

export function readCredential(home: string): string | undefined {
  const path = credentialPath(home);
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8').trim() || undefined;
}

export function writeCredential(home: string, value: string): void {
  mkdirSync(home, { recursive: true });
  const path = credentialPath(home);
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function removeCredential(home: string): void {
  rmSync(credentialPath(home), { force: true });
}

export type CliIdentity = { identity: Identity; via: 'token' } | { identity: Identity; via: 'session'; session: LiveSession };

/** The identity this command runs as, or undefined. A ROSTER_TOKEN that is set but not live is an error, never a fallback. */
export async function cliIdentity(db: Queryable, home: string, now = new Date()): Promise<CliIdentity | undefined> {
  const token = process.env.ROSTER_TOKEN;
  if (token !== undefined && token !== '') {
    const identity = await verifyToken(db, token.trim());
    if (!identity) throw new RosterError('forbidden', 'ROSTER_TOKEN is not a live API token (revoked, mistyped, or a SCIM push token); roster token create --kind api makes one');
    return { identity, via: 'token' };
  }
  const value = readCredential(home);
  if (!value) return undefined;
  const session = await resolveSession(db, value, now, undefined, 'cli');
  return session ? { identity: session.identity, via: 'session', session } : undefined;
}

/** The identity, which must be allowed `permission`; else a one-line error and nothing done. */
export async function requireIdentity(context: { db: Queryable; home: string }, permission: Permission): Promise<Identity> {
  const found = await cliIdentity(context.db, context.home);
  if (!found) throw new RosterError('forbidden', `${signInFirst} (your session may have ended)`);
  const { identity } = found;
  if (!can(identity, permission)) {
    throw new RosterError('forbidden', `${identity.actor} (${identity.kind === 'agent' ? 'agent' : identity.role}) may not ${permission}; an admin can change the role (roster user set-role)`);
  }
  return identity;
}
