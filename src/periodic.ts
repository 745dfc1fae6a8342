// A job run in the background at a fixed interval, one run at a time.

export interface Periodic {
  /** No run starts after this; answers once the run in progress, if any, has finished. */
  stop(): Promise<void>;
}

/**
 * Runs job every everyMs. A run still going at the next tick is waited for, never doubled; a run
 * that fails is dropped (the next tick tries again). The timer does not keep the process alive.
 */
export function runEvery(everyMs: number, job: () => Promise<unknown>): Periodic {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(() => (stopped ? undefined : job())).catch(() => undefined);
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
