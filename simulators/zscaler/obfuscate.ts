/**
 * The ZIA login obfuscation of the 12-character API key (vendor algorithm, as in its SDKs):
 * 1. `high` = the last 6 digits of the epoch-millisecond timestamp; `low` = `int(high) >> 1`,
 *    left-padded with zeros to 6 digits.
 * 2. output = for each digit d of `high`: key[d]; then for each digit d of `low`: key[d + 2].
 *
 * Shared by the simulator (to check a login) and roster's Zscaler connector (to log in).
 */
export function obfuscateApiKey(key: string, timestampMs: number | string): string {
  const ts = String(timestampMs);
  if (!/^\d{6,}$/.test(ts)) throw new RangeError('timestamp must be epoch milliseconds (at least 6 digits)');
  if (key.length < 12) throw new RangeError('a ZIA API key has 12 characters');
  const high = ts.slice(-6);
  const low = String(Number(high) >> 1).padStart(6, '0');
  let out = '';
  for (const d of high) out += key.charAt(Number(d));
  for (const d of low) out += key.charAt(Number(d) + 2);
  return out;
}
