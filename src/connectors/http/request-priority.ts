import { AsyncLocalStorage } from 'node:async_hooks';
import { priorities } from './rate-budget.ts';

/**
 * The priority of the work now running, for every request it makes: the executor runs a leaver's
 * change inside `withRequestPriority(priorities.leaver, …)`, so every connector's requests wait in
 * the credential's budget as a leaver's without passing it along. Outside any: reads.
 */
const current = new AsyncLocalStorage<number>();

export function withRequestPriority<T>(priority: number, fn: () => Promise<T>): Promise<T> {
  return current.run(priority, fn);
}

/** The priority a request goes with when it names none. */
export function requestPriority(): number {
  return current.getStore() ?? priorities.read;
}
