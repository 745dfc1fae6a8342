import type { MiddlewareHandler } from 'hono';
import { retryAfterHeaders, type RetryAfterForm } from '../shared/faults.ts';
import { SlidingWindowLimiter, WindowLimiter } from '../shared/rate-limit.ts';
import type { SimulatorEnv } from '../shared/server.ts';
import { scimJson } from './http.ts';
import { ScimError } from './protocol.ts';
import type { ScimRateLimit, ScimSimulatorSettings } from './settings.ts';

/** The Retry-After form for a refusal `waitMs` before the window resets. */
export function retryForm(limit: ScimRateLimit, waitMs: number): RetryAfterForm {
  const setting = limit.retryAfter ?? 'seconds';
  if (typeof setting !== 'string') return setting;
  if (setting === 'none') return { kind: 'none' };
  return { kind: setting, seconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/**
 * Real rate limiting per `settings.rateLimit` (read on every request, so tests can change it):
 * a fixed window; refusals are 429 with a SCIM error body and the chosen Retry-After form. Every
 * answer carries ratelimit-limit / ratelimit-remaining / ratelimit-reset (seconds).
 */
export function throttle(settings: ScimSimulatorSettings): MiddlewareHandler<SimulatorEnv> {
  let limiter: WindowLimiter | undefined;
  let sliding: SlidingWindowLimiter | undefined;
  let key = '';
  return async (c, next) => {
    const limit = settings.rateLimit;
    if (!limit) return next();
    const wanted = `${limit.requests}/${limit.perMs}/${limit.window ?? 'fixed'}`;
    if (!limiter || key !== wanted) {
      limiter = new WindowLimiter(limit.requests, limit.perMs);
      sliding = limit.window === 'sliding' ? new SlidingWindowLimiter(limit.requests, limit.perMs) : undefined;
      key = wanted;
    }
    const now = Date.now();
    if (sliding) {
      const over = sliding.take(now);
      if (over === null) return next();
      const form = retryForm(limit, over);
      const body: Record<string, unknown> = { ...new ScimError(429, 'Too many requests: rate limit exceeded').toJSON() };
      if (form.kind === 'body') body['Retry-After'] = `${form.seconds} seconds`;
      return scimJson(body, 429, retryAfterHeaders(form, now));
    }
    const wait = limiter.take(now);
    const state = limiter.state(now);
    const headers: Record<string, string> = {
      'ratelimit-limit': String(limit.requests),
      'ratelimit-remaining': String(state.remaining),
      'ratelimit-reset': String(state.resetSeconds),
    };
    if (wait === null) {
      await next();
      for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
      return;
    }
    const form = retryForm(limit, wait);
    const body: Record<string, unknown> = { ...new ScimError(429, 'Too many requests: rate limit exceeded').toJSON() };
    if (form.kind === 'body') body['Retry-After'] = `${form.seconds} seconds`;
    return scimJson(body, 429, { ...retryAfterHeaders(form, now), ...headers });
  };
}
