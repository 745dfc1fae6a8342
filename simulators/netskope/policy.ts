import { membersOf, type ScimStore } from '../scim/store.ts';

/** A group as Netskope's policy engine sees it. */
export interface PolicyGroup {
  id: string;
  displayName: string;
  /** Ids of the member users (and groups). */
  members: string[];
}

function snapshot(store: ScimStore): PolicyGroup[] {
  return store.listGroups().map((g) => ({ id: g.id, displayName: String(g.attrs['displayName'] ?? ''), members: membersOf(g.attrs).map((m) => m.value) }));
}

/**
 * Group membership as policy sees it: changes made over SCIM reach it only `delayMs` later (in
 * Netskope, minutes). Each SCIM write that can change membership records the state just before it;
 * the view is the state before the oldest write still in flight, or the store itself when none is.
 */
export class PolicyView {
  readonly #store: ScimStore;
  readonly #delayMs: () => number;
  #pending: { at: number; before: PolicyGroup[] }[] = [];

  constructor(store: ScimStore, delayMs: () => number) {
    this.#store = store;
    this.#delayMs = delayMs;
  }

  /** Call before a write that may change membership. */
  beforeWrite(now = Date.now()): void {
    if (this.#delayMs() <= 0) return;
    this.#pending.push({ at: now, before: snapshot(this.#store) });
  }

  groups(now = Date.now()): PolicyGroup[] {
    const cutoff = now - this.#delayMs();
    this.#pending = this.#pending.filter((p) => p.at > cutoff);
    return this.#pending[0]?.before ?? snapshot(this.#store);
  }
}
