import { randomInt } from 'node:crypto';

const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
const SYMBOLS = '!#$%&*+-=?@^_~';
const LENGTH = 24;

/**
 * A random 24-character password with a letter, a digit and a symbol, for ZIA's policy (8-100
 * characters, each kind once). POST /users requires one; nobody logs in with it (people sign in
 * through the IdP), so it is never logged, stored or returned.
 */
export function generatePassword(): string {
  const all = LETTERS + DIGITS + SYMBOLS;
  const pick = (set: string): string => set.charAt(randomInt(set.length));
  const chars = [pick(LETTERS), pick(DIGITS), pick(SYMBOLS)];
  while (chars.length < LENGTH) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}
