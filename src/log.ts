import pino from 'pino';

/**
 * roster's log: JSON lines on stderr, quiet by default (ROSTER_LOG_LEVEL=info for more), with
 * anything that looks like a credential redacted wherever it appears.
 */
export const log = pino(
  {
    level: process.env.ROSTER_LOG_LEVEL ?? 'warn',
    base: { service: 'roster' },
    redact: {
      paths: ['*.token', '*.password', '*.apiKey', '*.secret', '*.authorization', '*.cookie', '*.headers.authorization', '*.headers.cookie', 'token', 'password', 'apiKey', 'authorization', 'cookie'],
      censor: '[redacted]',
    },
  },
  pino.destination(2),
);
