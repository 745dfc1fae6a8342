import { randomBytes } from 'node:crypto';

interface Session {
  id: string;
  username: string;
  lastSeen: number;
}

/** JSESSIONID sessions that die after `idleMs` without a request. */
export class SessionStore {
  idleMs: number;
  readonly #now: () => number;
  readonly #sessions = new Map<string, Session>();

  constructor(idleMs: number, now: () => number = Date.now) {
    this.idleMs = idleMs;
    this.#now = now;
  }

  /** Opens a session and returns its id (32 upper-case hex characters, like a Java servlet's). */
  open(username: string): string {
    const id = randomBytes(16).toString('hex').toUpperCase();
    this.#sessions.set(id, { id, username, lastSeen: this.#now() });
    return id;
  }

  /** True if the session is alive; a live session's idle clock restarts. Expired ones are dropped. */
  touch(id: string | undefined): boolean {
    if (id === undefined) return false;
    const s = this.#sessions.get(id);
    if (!s) return false;
    const now = this.#now();
    if (now - s.lastSeen > this.idleMs) {
      this.#sessions.delete(id);
      return false;
    }
    s.lastSeen = now;
    return true;
  }

  close(id: string): boolean {
    return this.#sessions.delete(id);
  }

  /** Ends every session at once, as a tenant-side timeout or admin action would. */
  expireAll(): void {
    this.#sessions.clear();
  }

  get size(): number {
    return this.#sessions.size;
  }
}

/** The JSESSIONID value from a Cookie header, if any. */
export function sessionIdFromCookie(cookie: string | undefined): string | undefined {
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === 'JSESSIONID') return part.slice(eq + 1).trim();
  }
  return undefined;
}
