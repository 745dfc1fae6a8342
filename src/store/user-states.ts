// Pushed people as this process last read or wrote them, so that a SCIM write can start from what
// it already holds instead of reading the person again (an IdP reads a user, then changes them),
// and a page of users reads only its people's versions. Never trusted on its own: a write from a
// remembered state is guarded by its version, and a page uses a remembered document only at the
// version the database holds; any change to a person anywhere (another process, the worker, a
// group push, an import) moves their version.
import { PageAnchors } from './page-anchors.ts';

type Doc = Record<string, unknown>;

/** A person as a write starts from: their document, the version it is, and the pushed body (null: built from columns). */
export interface UserState {
  doc: Doc;
  version: number;
  pushed: Doc | null;
}

export class UserStateCache {
  readonly #states = new Map<string, UserState>();
  /** The id of each remembered person by their userName, lowercased: a hint, checked by the database. */
  readonly #idsByUserName = new Map<string, string>();
  readonly #limit: number;
  /** Where pages of users in id order start, as this process last saw them. */
  readonly pages = new PageAnchors();

  /** limit: how many people to remember; the least recently remembered go first. */
  constructor(limit = 20_000) {
    this.#limit = limit;
  }

  get(id: string): UserState | undefined {
    return this.#states.get(id);
  }

  /** The remembered person who had this userName when remembered, if any (they may have lost it since). */
  byUserName(userName: string): UserState | undefined {
    const id = this.#idsByUserName.get(userName.toLowerCase());
    return id === undefined ? undefined : this.#states.get(id);
  }

  /** Remembers a person as read or written; an older version never replaces a newer one. */
  remember(id: string, state: UserState): void {
    const held = this.#states.get(id);
    if (held && held.version > state.version) return;
    if (held) this.#unname(id, held);
    this.#states.delete(id);
    this.#states.set(id, state);
    if (typeof state.doc.userName === 'string') this.#idsByUserName.set(state.doc.userName.toLowerCase(), id);
    if (this.#states.size > this.#limit) this.forget(this.#states.keys().next().value as string);
  }

  forget(id: string): void {
    const held = this.#states.get(id);
    if (held) this.#unname(id, held);
    this.#states.delete(id);
  }

  #unname(id: string, state: UserState): void {
    const name = typeof state.doc.userName === 'string' ? state.doc.userName.toLowerCase() : undefined;
    if (name !== undefined && this.#idsByUserName.get(name) === id) this.#idsByUserName.delete(name);
  }

  get size(): number {
    return this.#states.size;
  }
}
