import { redactText } from '../../core/redact.ts';

/** Text roster stored that may quote an app (a reason, an error), fit to show: credentials redacted, one line, short. */
export function safeText(text: string, max = 300): string {
  const line = redactText(text).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
