// Settings the long-running commands read from the environment (README: Settings).

/** A positive number of seconds from an environment variable, or the default when it is unset. */
export function secondsFromEnvironment(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`${name} must be a positive number of seconds, not ${text}`);
  return seconds;
}

export const defaultLeaseSeconds = 30;

/**
 * How long a worker's claim on an operation lasts without a heartbeat (ROSTER_LEASE_SECONDS,
 * default 30): the time work held by a process that died waits before another takes it.
 */
export function leaseMsFromEnvironment(env: NodeJS.ProcessEnv = process.env): number {
  return secondsFromEnvironment('ROSTER_LEASE_SECONDS', defaultLeaseSeconds, env) * 1000;
}
