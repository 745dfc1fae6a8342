import type { AuthStrategy } from '../connectors/http/auth.ts';
import type { SourceExchange } from './types.ts';

/**
 * An auth strategy that reports each token request it makes (the first headers(), and each
 * renewal), with the status the token endpoint answered, as an exchange.
 */
export function tokenCounted(auth: AuthStrategy, path: string, report: (e: SourceExchange) => void): AuthStrategy {
  let asked = false;
  const timed = async <T>(fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const value = await fn();
      report({ method: 'POST', path, status: 200, ms: Math.round(performance.now() - started) });
      return value;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const status = Number(/answered (\d{3})/.exec(message)?.[1]) || undefined;
      report({ method: 'POST', path, status, ms: Math.round(performance.now() - started), error: message });
      throw error;
    }
  };
  return {
    kind: auth.kind,
    headers: async () => {
      if (asked) return auth.headers();
      asked = true;
      return timed(async () => auth.headers());
    },
    renew: async () => timed(async () => (await auth.renew?.()) ?? false),
  };
}
