/**
 * An object that forwards every property read to `get()`'s answer (methods bound to it), for what
 * exists only once construction is done: a vendor layer's routes, built inside the SCIM
 * simulator's `extend` hook, reach its store and settings this way.
 */
export function late<T extends object>(get: () => T): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const target = get();
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
