import type { Context } from 'hono';

/** OIDC sign-in as the routes use it: start sends the browser to the provider, callback finishes. */
export interface OidcSignIn {
  start(c: Context, next: string): Promise<Response> | Response;
  callback(c: Context): Promise<Response>;
}
