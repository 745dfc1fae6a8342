// Per agent token: calls per minute and result characters per hour, counted in the database so
// every roster process on a shared PostgreSQL sees the same totals (PGlite: the one process).
import type { Queryable } from '../store/database.ts';
import { addChars, charsUsed, countCall, forgetUsage } from '../store/mcp-usage.ts';

export interface UsageLimits {
  callsPerMinute: number;
  resultCharsPerHour: number;
}

export const defaultUsageLimits: UsageLimits = { callsPerMinute: 60, resultCharsPerHour: 2_000_000 };

/** Limits from ROSTER_MCP_CALLS_PER_MINUTE and ROSTER_MCP_CHARS_PER_HOUR, else the defaults. */
export function usageLimitsFromEnvironment(env: NodeJS.ProcessEnv = process.env): UsageLimits {
  const read = (name: string, fallback: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, not ${JSON.stringify(text.slice(0, 20))}`);
    return value;
  };
  return { callsPerMinute: read('ROSTER_MCP_CALLS_PER_MINUTE', defaultUsageLimits.callsPerMinute), resultCharsPerHour: read('ROSTER_MCP_CHARS_PER_HOUR', defaultUsageLimits.resultCharsPerHour) };
}

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;

/** The start of the fixed window holding `at`. */
export function windowStart(at: Date, lengthMs: number): Date {
  return new Date(Math.floor(at.getTime() / lengthMs) * lengthMs);
}

export class LimitExceeded extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.name = 'LimitExceeded';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export class UsageMeter {
  readonly #db: Queryable;
  readonly #tokenId: string;
  readonly #limits: UsageLimits;
  readonly #now: () => Date;

  constructor(db: Queryable, tokenId: string, limits: UsageLimits, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#tokenId = tokenId;
    this.#limits = limits;
    this.#now = now;
  }

  /** Counts a call, or throws LimitExceeded (saying when to come back) when the token is over a limit. */
  async admit(): Promise<void> {
    const now = this.#now();
    const minute = windowStart(now, minuteMs);
    const hour = windowStart(now, hourMs);
    const calls = await countCall(this.#db, this.#tokenId, 'minute', minute);
    if (calls === 1) await forgetUsage(this.#db, this.#tokenId, new Date(hour.getTime() - hourMs));
    const untilNextMinute = Math.max(1, Math.ceil((minute.getTime() + minuteMs - now.getTime()) / 1000));
    if (calls > this.#limits.callsPerMinute) {
      throw new LimitExceeded(`rate limit: this agent token made more than ${this.#limits.callsPerMinute} calls this minute; nothing was done — try again in ${untilNextMinute} s`, untilNextMinute);
    }
    const used = await charsUsed(this.#db, this.#tokenId, 'hour', hour);
    if (used >= this.#limits.resultCharsPerHour) {
      const untilNextHour = Math.max(1, Math.ceil((hour.getTime() + hourMs - now.getTime()) / 1000));
      throw new LimitExceeded(
        `token budget: this agent token was sent ${used} characters of results this hour (budget ${this.#limits.resultCharsPerHour}); nothing was done — try again in ${untilNextHour} s, or ask narrower questions`,
        untilNextHour,
      );
    }
  }

  /** Counts the characters a call's result sent to the agent. */
  async spend(chars: number): Promise<void> {
    await addChars(this.#db, this.#tokenId, 'hour', windowStart(this.#now(), hourMs), chars);
  }
}
