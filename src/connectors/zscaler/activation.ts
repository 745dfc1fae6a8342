import { setTimeout as sleep } from 'node:timers/promises';
import { RosterError, isRosterError } from '../../errors.ts';
import type { FlushOptions } from '../connector.ts';
import type { ZiaActivationStatus, ZiaClient } from './client.ts';

export interface ActivationOptions {
  /** Waits between GET /status polls while an activation runs: first wait, doubling up to the cap. Default 200 ms, 5 s. */
  pollMs?: number | undefined;
  pollCapMs?: number | undefined;
  /** Longest an activation may take before roster reports it. Default 10 minutes. */
  timeoutMs?: number | undefined;
}

/**
 * ZIA stages every create, update and delete until `POST /status/activate`. This keeps track of
 * whether anything was (or may have been) staged, and makes it live once for a batch of writes:
 * `flush()` resolves only when GET /status says ACTIVE after an activation, and throws otherwise.
 */
export class Activation {
  readonly #client: ZiaClient;
  readonly #appName: string;
  readonly #poll: { firstMs: number; capMs: number; timeoutMs: number };
  #dirty = false;
  #activating: Promise<void> | undefined;

  constructor(client: ZiaClient, appName: string, options: ActivationOptions = {}) {
    this.#client = client;
    this.#appName = appName;
    this.#poll = { firstMs: options.pollMs ?? 200, capMs: options.pollCapMs ?? 5000, timeoutMs: options.timeoutMs ?? 10 * 60_000 };
  }

  /** True while writes are staged that this process has not activated yet. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** Runs a write; marks writes staged when it (may have) reached the app. */
  async staged<T>(write: () => Promise<T>): Promise<T> {
    try {
      const result = await write();
      this.#dirty = true;
      return result;
    } catch (error) {
      if (mayHaveLanded(error)) this.#dirty = true;
      throw error;
    }
  }

  /**
   * Makes staged writes live: activates when anything was written since the last activation, or,
   * with `pending`, when the tenant says changes are not ACTIVE (staged by a process that died).
   */
  async flush(options: FlushOptions = {}): Promise<void> {
    if (this.#activating) await this.#activating;
    if (this.#dirty) return this.activate();
    if (options.pending && (await this.#client.status()) !== 'ACTIVE') await this.activate();
  }

  /** POST /status/activate once and poll GET /status until ACTIVE; concurrent callers share it. */
  activate(): Promise<void> {
    this.#activating ??= this.#run().finally(() => {
      this.#activating = undefined;
    });
    return this.#activating;
  }

  async #run(): Promise<void> {
    this.#dirty = false;
    try {
      const deadline = Date.now() + this.#poll.timeoutMs;
      let status: ZiaActivationStatus = await this.#client.activate();
      let wait = this.#poll.firstMs;
      // Polls answer INPROGRESS while it runs; after it, ACTIVE, or PENDING when something was
      // staged since (by us, which marks writes staged again, or by another admin): either way
      // what was staged before this activation is live.
      for (let polled = false; status === 'INPROGRESS' || (status === 'PENDING' && !polled); polled = true) {
        if (Date.now() > deadline) {
          throw new RosterError('app_error', `${this.#appName}: ZIA activation still ${status} after ${Math.round(this.#poll.timeoutMs / 1000)} s; staged changes are not live yet`, { appName: this.#appName, status });
        }
        await sleep(wait);
        wait = Math.min(wait * 2, this.#poll.capMs);
        status = await this.#client.status();
      }
    } catch (error) {
      this.#dirty = true;
      throw error;
    }
  }
}

/** A failed write that may still have been staged (no answer, or an answer roster cannot trust). */
export function mayHaveLanded(error: unknown): boolean {
  return !isRosterError(error) || ['app_unreachable', 'app_error', 'invalid_response'].includes(error.code);
}
