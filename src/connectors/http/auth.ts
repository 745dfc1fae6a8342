import type { Secret } from '../../config/secret.ts';

/** Adds credentials to a request; may renew them once when the app answers 401. */
export interface AuthStrategy {
  readonly kind: string;
  headers(): Promise<Record<string, string>> | Record<string, string>;
  /** Called on a 401; resolves true when fresh credentials are worth one more try. */
  renew?(): Promise<boolean>;
  close?(): Promise<void>;
}

export function bearerAuth(token: Secret): AuthStrategy {
  return { kind: 'bearer', headers: () => ({ authorization: `Bearer ${token.reveal()}` }) };
}

export function basicAuth(username: string, password: Secret): AuthStrategy {
  const encoded = Buffer.from(`${username}:${password.reveal()}`).toString('base64');
  return { kind: 'basic', headers: () => ({ authorization: `Basic ${encoded}` }) };
}

/** A token in a header of the vendor's own (Netskope-Api-Token). */
export function headerAuth(header: string, token: Secret): AuthStrategy {
  return { kind: 'header', headers: () => ({ [header.toLowerCase()]: token.reveal() }) };
}
