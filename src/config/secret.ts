import { inspect } from 'node:util';

const redacted = '[redacted]';

/**
 * A credential resolved from a reference. It prints, serialises and inspects as "[redacted]";
 * only reveal() gives the value, at the moment a request needs it.
 */
export class Secret {
  readonly #value: string | undefined;
  /** Where the value came from (env:NAME, file:path), safe to show. */
  readonly source: string;

  constructor(value: string | undefined, source: string) {
    this.#value = value;
    this.source = source;
  }

  /** A reference kept but not read, for commands that never use it. */
  static unresolved(source: string): Secret {
    return new Secret(undefined, source);
  }

  reveal(): string {
    if (this.#value === undefined) throw new Error(`secret ${this.source} was not resolved for this command`);
    return this.#value;
  }

  toString(): string {
    return redacted;
  }

  toJSON(): string {
    return redacted;
  }

  [inspect.custom](): string {
    return `Secret(${this.source})`;
  }
}
