// Graceful shutdown for the long-running commands (serve, worker, apply): the first SIGTERM or
// SIGINT asks the work to stop (in-flight work finishes or is handed back) within a bound; a
// second signal, or the bound running out, exits at once. Handlers are installed explicitly, so
// this also holds as pid 1 in a container, where Node installs none.

import { secondsFromEnvironment } from './settings.ts';

export const defaultGraceSeconds = 10;

export interface ShutdownTrap {
  /** Aborted on the first signal. */
  readonly signal: AbortSignal;
  /** Settles with the signal's name on the first signal. */
  readonly requested: Promise<NodeJS.Signals>;
  /** Why the work was stopped from inside (see `fail`), if it was. */
  readonly failure: string | undefined;
  /**
   * Stops the work as a signal would, because it cannot go on (its database is gone): the same
   * bound applies, and the command should then exit non-zero with this reason.
   */
  fail(reason: string): void;
  /** Removes the handlers and the bound's timer (call once the work has stopped). */
  dispose(): void;
}

const signalNumbers: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 2, SIGTERM: 15 };

/** The bound from ROSTER_SHUTDOWN_SECONDS (default 10 s). */
export function graceSecondsFromEnvironment(env: NodeJS.ProcessEnv = process.env): number {
  return secondsFromEnvironment('ROSTER_SHUTDOWN_SECONDS', defaultGraceSeconds, env);
}

export function trapShutdown(command: string, graceSeconds = graceSecondsFromEnvironment()): ShutdownTrap {
  const controller = new AbortController();
  let resolveRequested: (signal: NodeJS.Signals) => void = () => undefined;
  const requested = new Promise<NodeJS.Signals>((resolve) => (resolveRequested = resolve));
  let bound: NodeJS.Timeout | undefined;
  let failure: string | undefined;
  const stopWithin = (signal: NodeJS.Signals) => {
    controller.abort();
    resolveRequested(signal);
    bound = setTimeout(() => {
      process.stderr.write(`roster ${command}: still busy after ${graceSeconds} s: exiting; unfinished claims return to the queue when their leases run out\n`);
      process.exit(1);
    }, graceSeconds * 1000);
    bound.unref();
  };
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => {
    if (controller.signal.aborted) {
      process.stderr.write(`roster ${command}: ${signal} again: exiting now\n`);
      process.exit(128 + signalNumbers[signal]);
    }
    process.stderr.write(`roster ${command}: ${signal}: stopping (in-flight work finishes or is handed back, at most ${graceSeconds} s; send it again to exit now)\n`);
    stopWithin(signal);
  };
  const handlers = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM') };
  process.on('SIGINT', handlers.SIGINT);
  process.on('SIGTERM', handlers.SIGTERM);
  return {
    signal: controller.signal,
    requested,
    get failure() {
      return failure;
    },
    fail(reason) {
      if (controller.signal.aborted) return;
      failure = reason;
      process.stderr.write(`roster ${command}: ${reason}: stopping\n`);
      stopWithin('SIGTERM');
    },
    dispose() {
      process.off('SIGINT', handlers.SIGINT);
      process.off('SIGTERM', handlers.SIGTERM);
      if (bound) clearTimeout(bound);
    },
  };
}
