const secretKey = /pass(word)?|secret|token|api[-_]?key|authorization|cookie|credential|jsessionid/i;

/** A copy of a value fit for the audit trail and logs: anything under a secret-looking key is replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[truncated]';
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return redact(JSON.parse(JSON.stringify(value)), depth + 1);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, secretKey.test(k) ? '[redacted]' : redact(v, depth + 1)]));
  }
  return value;
}
