import type { Context } from 'hono';
import type { SurfaceEnv } from '../surface-options.ts';

/**
 * The session's CSRF token, for forms (field _csrf) and htmx requests (header x-csrf-token). The
 * sign-in middleware checks it on every cookie-authenticated write before any route runs.
 */
export function csrfTokenOf(c: Context<SurfaceEnv>): string {
  return c.var.session?.csrfToken ?? '';
}
