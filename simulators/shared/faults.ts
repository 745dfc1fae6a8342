import type { MiddlewareHandler } from 'hono';
import type { SimulatorEnv } from './server.ts';

/**
 * Faults a test can switch on in a running simulator. Each counter says how many of the next
 * matching requests get the fault; `every` makes it periodic instead (every Nth request).
 */
export interface FaultPlan {
  /** Answer 429 to the next N requests. */
  rateLimit?: { count: number; retryAfter?: RetryAfterForm };
  /** Answer 5xx (default 503) to the next N requests, with a Retry-After when given (Graph's 503s carry one). */
  serverError?: { count: number; status?: number; retryAfter?: RetryAfterForm };
  /** Destroy the socket without answering, for the next N requests. */
  drop?: { count: number };
  /** Delay every answer by this many milliseconds. */
  delayMs?: number;
  /** Only requests whose path contains this string are affected (default: all). */
  pathIncludes?: string;
  /** Apply the faults only after this many matching requests have passed untouched. */
  after?: number;
}

/** How a 429 tells the client when to come back. */
export type RetryAfterForm =
  | { kind: 'seconds'; seconds: number }
  | { kind: 'http-date'; seconds: number }
  | { kind: 'text'; seconds: number } // "2 seconds", as RSA and ZIA write it
  | { kind: 'body'; seconds: number } // only a JSON body field {"Retry-After":"N seconds"}
  | { kind: 'none' };

export function retryAfterHeaders(form: RetryAfterForm | undefined, now = Date.now()): Record<string, string> {
  if (!form) return { 'retry-after': '1' };
  switch (form.kind) {
    case 'seconds':
      return { 'retry-after': String(form.seconds) };
    case 'http-date':
      return { 'retry-after': new Date(now + form.seconds * 1000).toUTCString() };
    case 'text':
      return { 'retry-after': `${form.seconds} seconds` };
    case 'body':
    case 'none':
      return {};
  }
}

/** Mutable holder so tests can change faults while the simulator runs. */
export class FaultInjector {
  #plan: FaultPlan = {};
  #seen = 0;
  /** Counts of faults actually injected, for assertions. */
  readonly injected = { rateLimit: 0, serverError: 0, drop: 0 };

  set(plan: FaultPlan): void {
    this.#plan = structuredClone(plan);
    this.#seen = 0;
  }

  clear(): void {
    this.set({});
  }

  middleware(errorBody: (status: number, message: string) => unknown): MiddlewareHandler<SimulatorEnv> {
    return async (c, next) => {
      const plan = this.#plan;
      if (plan.pathIncludes && !c.req.path.includes(plan.pathIncludes)) return next();
      this.#seen += 1;
      if (plan.delayMs) await new Promise((r) => setTimeout(r, plan.delayMs));
      if (plan.after && this.#seen <= plan.after) return next();
      if (plan.drop && plan.drop.count > 0) {
        plan.drop.count -= 1;
        this.injected.drop += 1;
        c.env.incoming.socket.destroy();
        return new Response(null, { status: 500 });
      }
      if (plan.rateLimit && plan.rateLimit.count > 0) {
        plan.rateLimit.count -= 1;
        this.injected.rateLimit += 1;
        const form = plan.rateLimit.retryAfter;
        const body = errorBody(429, 'Too many requests') as Record<string, unknown>;
        if (form?.kind === 'body') body['Retry-After'] = `${form.seconds} seconds`;
        return c.json(body, 429, retryAfterHeaders(form));
      }
      if (plan.serverError && plan.serverError.count > 0) {
        plan.serverError.count -= 1;
        this.injected.serverError += 1;
        const status = plan.serverError.status ?? 503;
        const headers = plan.serverError.retryAfter ? retryAfterHeaders(plan.serverError.retryAfter) : {};
        return c.json(errorBody(status, 'Service unavailable (injected fault)') as object, status as 503, headers);
      }
      return next();
    };
  }
}
