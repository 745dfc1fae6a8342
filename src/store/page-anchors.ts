// Where pages of users start: for a place in the id order of live people, the id found there, as
// long as the set of live people is unchanged (migration 021 counts its changes). A page that
// starts from the nearest known place before it walks only the people between, not everyone
// before it: after a burst of writes, every person walked is a visit to a row not yet vacuumed.

export interface Anchor {
  /** The place in the order (0-based) at or before the one asked for. */
  offset: number;
  /** The id of the live person at that place. */
  id: string;
  /** The set of live people's change count when it was there. */
  changes: string;
}

export class PageAnchors {
  #changes: string | undefined;
  readonly #ids = new Map<number, string>();
  readonly #limit: number;

  /** limit: how many places to keep; past it, the oldest are dropped. */
  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  /** The nearest known place at or before offset, or undefined. */
  before(offset: number): Anchor | undefined {
    if (this.#changes === undefined) return undefined;
    const exact = this.#ids.get(offset);
    if (exact !== undefined) return { offset, id: exact, changes: this.#changes };
    let best: number | undefined;
    for (const known of this.#ids.keys()) if (known <= offset && (best === undefined || known > best)) best = known;
    return best === undefined ? undefined : { offset: best, id: this.#ids.get(best) as string, changes: this.#changes };
  }

  /** Learns that id is at place offset while the live set's change count is changes; a new count forgets every place known. */
  learn(offset: number, id: string, changes: string): void {
    if (changes !== this.#changes) {
      this.#ids.clear();
      this.#changes = changes;
    }
    this.#ids.delete(offset);
    this.#ids.set(offset, id);
    if (this.#ids.size > this.#limit) this.#ids.delete(this.#ids.keys().next().value as number);
  }

  get size(): number {
    return this.#ids.size;
  }
}
