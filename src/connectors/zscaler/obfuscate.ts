/**
 * The obfuscation ZIA's login expects in place of the raw API key. `high` is the last six digits
 * of the epoch-millisecond timestamp and `low` is `high >> 1`, zero-padded to six digits; the
 * answer is key[d] for each digit d of `high`, then key[d + 2] for each digit d of `low`.
 */
export function obfuscateApiKey(apiKey: string, timestamp: number | string): string {
  if (apiKey.length !== 12) throw new RangeError('a ZIA API key has exactly 12 characters');
  const digits = String(timestamp);
  if (!/^\d{6,}$/.test(digits)) throw new RangeError('the timestamp must be epoch milliseconds');
  const high = digits.slice(-6);
  const low = String(Number(high) >> 1).padStart(6, '0');
  let out = '';
  for (const d of high) out += apiKey[Number(d)] ?? '';
  for (const d of low) out += apiKey[Number(d) + 2] ?? '';
  return out;
}
