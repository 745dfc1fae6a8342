const secretKey = /pass(word)?|secret|token|api[-_]?key|authorization|cookie|credential|jsessionid/i;
const hidden = '[redacted]';

/** A copy of a value fit for the audit trail and logs: anything under a secret-looking key, and secret-looking text in strings, is replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[truncated]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return redact(JSON.parse(JSON.stringify(value)), depth + 1);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretKey.test(k) ? hidden : redact(v, depth + 1)]));
  }
  return value;
}

const jwt = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const schemeCredential = /\b(Bearer|Basic|SSWS|Token|Digest)(\s+)([A-Za-z0-9._~+/=-]{8,})/gi;
const cookieLine = /\b((?:set-)?cookie)(["']?\s*[:=]\s*)[^\r\n]*/gi;
// A key naming a credential: any word holding one of the long names, or exactly one of the short ones.
const keyedValue =
  /(["']?)([\w.-]*(?:password|passwd|passphrase|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|authorization|credential|session[-_]?id|signature)[\w.-]*|\b(?:pass|pwd|key|sig)\b)\1(\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;&"'}\]]+)/gi;

/**
 * Free text with anything that looks like a credential replaced: JWTs, "Bearer …"-style
 * credentials, cookies, and the value of any secret-looking key (`"password": "…"`, `api_key=…`,
 * `token: …`). For text roster did not write itself (a vendor's error body) before it is shown or stored.
 */
export function redactText(text: string): string {
  return text
    .replace(jwt, hidden)
    .replace(schemeCredential, (match, scheme: string, space: string, value: string) => (/\d/.test(value) || value.length >= 20 ? `${scheme}${space}${hidden}` : match))
    .replace(cookieLine, `$1$2${hidden}`)
    .replace(keyedValue, (match, quote: string, key: string, separator: string, value: string) => {
      if (value.startsWith(hidden.slice(0, -1))) return match;
      const valueQuote = value.startsWith('"') ? '"' : value.startsWith("'") ? "'" : '';
      return `${quote}${key}${quote}${separator}${valueQuote}${hidden}${valueQuote}`;
    });
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Longest excerpt of an app's own words that roster copies into a message. */
export const excerptLength = 200;

/**
 * A short excerpt of text an app sent, fit for an error message or the database: markup dropped,
 * on one line, credentials redacted (long opaque strings too, as they are mostly keys and
 * tokens; ids in UUID form are kept), then cut to `excerptLength` characters.
 */
export function vendorExcerpt(text: string): string | undefined {
  const plain = text
    .slice(0, 20_000)
    .replace(/<(script|style)\b[^]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ');
  // Redacted while still in lines: a cookie header ends at its line end.
  const oneLine = redactText(plain).replace(/\s+/g, ' ').trim();
  const redacted = oneLine.replace(/[A-Za-z0-9+/_=-]{32,}/g, (run) => (uuid.test(run) || !/\d/.test(run) || !/[A-Za-z]/.test(run) ? run : hidden));
  if (redacted === '') return undefined;
  return redacted.length > excerptLength ? `${redacted.slice(0, excerptLength - 1)}…` : redacted;
}
