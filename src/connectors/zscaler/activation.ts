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
      for (let round = 1; ; round += 1) {
        const status = await this.#once(deadline);
        // ACTIVE: everything staged is live. PENDING once the activation has finished: something
        // was staged meanwhile. By this connector (staged again): what came before is live, and
        // the next flush activates the rest. By someone else, or nothing roster can see: activate
        // again, and after a few rounds report it rather than claim the writes are live.
        if (status === 'ACTIVE' || this.#dirty) return;
        if (round >= MAX_ROUNDS) {
          throw new RosterError('app_error', `${this.#appName}: ZIA activated ${round} times and GET /status still says ${status}; staged changes may not be live (another admin may be staging changes meanwhile)`, { appName: this.#appName, status });
        }
      }
    } catch (error) {
      this.#dirty = true;
      throw error;
    }
  }

  /** One POST /status/activate, then GET /status until the activation has finished. */
  async #once(deadline: number): Promise<ZiaActivationStatus> {
    let status: ZiaActivationStatus = await this.#client.activate();
    let wait = this.#poll.firstMs;
    // INPROGRESS while it runs; PENDING right away may be the activation not started yet: poll.
    for (let polled = false; status === 'INPROGRESS' || (status === 'PENDING' && !polled); polled = true) {
      if (Date.now() > deadline) {
        throw new RosterError('app_error', `${this.#appName}: ZIA activation still ${status} after ${Math.round(this.#poll.timeoutMs / 1000)} s; staged changes are not live yet`, { appName: this.#appName, status });
      }
      await sleep(wait);
      wait = Math.min(wait * 2, this.#poll.capMs);
      status = await this.#client.status();
    }
    return status;
  }
}

/** Activations one flush tries while GET /status keeps answering PENDING afterwards. */
const MAX_ROUNDS = 3;

/** A failed write that may still have been staged (no answer, or an answer roster cannot trust). */
export function mayHaveLanded(error: unknown): boolean {
  return !isRosterError(error) || ['app_unreachable', 'app_error', 'invalid_response'].includes(error.code);
}
