/** roster's error codes: what went wrong, in a form callers can branch on. */
export const errorCodes = {
  config_invalid: 'the configuration has problems',
  input_invalid: 'the input given to a command is not valid',
  app_unreachable: 'the app did not answer (connection refused, timeout, dropped connection)',
  auth_failed: 'the app refused the credentials (401)',
  forbidden: 'the credentials lack permission, or are the wrong kind (403)',
  not_found: 'the app has no such resource (404)',
  conflict: 'the resource already exists or is locked (409)',
  rate_limited: 'the app asked roster to slow down (429) for longer than it will wait',
  app_error: 'the app failed (5xx) and kept failing',
  bad_request: 'the app rejected the request (4xx)',
  invalid_response: 'the app answered with something roster cannot read',
  precondition_failed: 'the resource changed since it was read (412)',
  unsupported: 'the app cannot do this (see the connector capabilities)',
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class RosterError extends Error {
  readonly code: ErrorCode;
  /** Extra facts for logs and audit; never secrets. */
  readonly facts: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, facts: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RosterError';
    this.code = code;
    this.facts = facts;
  }
}

export function isRosterError(error: unknown, code?: ErrorCode): error is RosterError {
  return error instanceof RosterError && (code === undefined || error.code === code);
}
