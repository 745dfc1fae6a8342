import { inspect } from 'node:util';

const redacted = '[redacted]';

/**
 * A credential resolved from a reference. It prints, serialises and inspects as "[redacted]";
 * only reveal() gives the value, at the moment a request needs it.
 */
export class Secret {
  readonly #value: string;
  /** Where the value came from (env:NAME, file:path), safe to show. */
  readonly source: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
  }

  reveal(): string {
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
