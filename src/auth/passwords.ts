// Password hashing: argon2id (Node's built-in crypto.argon2), kept as a PHC string that carries
// its parameters, so stronger settings later still verify older hashes.
import { argon2, randomBytes, timingSafeEqual, type Argon2Parameters } from 'node:crypto';

export interface HashSettings {
  /** KiB of memory. */
  memory: number;
  /** Passes over memory. */
  passes: number;
  parallelism: number;
}

/** OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane). */
export const defaultHashSettings: HashSettings = { memory: 19_456, passes: 2, parallelism: 1 };

const TAG_LENGTH = 32;
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export const passwordRules = 'passwords are 12 to 1024 characters';

/** Why a new password is refused, or undefined when it will do. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 12 || password.length > 1024) return passwordRules;
  return undefined;
}

function derive(password: string, salt: Buffer, s: HashSettings): Promise<Buffer> {
  const parameters: Argon2Parameters = { message: password.normalize('NFKC'), nonce: salt, parallelism: s.parallelism, tagLength: TAG_LENGTH, memory: s.memory, passes: s.passes };
  return new Promise((resolve, reject) => argon2('argon2id', parameters, (error, key) => (error ? reject(error) : resolve(key))));
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string, settings: HashSettings = defaultHashSettings): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, settings);
  return `$argon2id$v=19$m=${settings.memory},t=${settings.passes},p=${settings.parallelism}$${b64(salt)}$${b64(key)}`;
}

let decoy: Promise<string> | undefined;

/**
 * Whether password matches the stored hash, compared in constant time. With no stored hash (an
 * unknown user, an account without a password) a decoy hash is checked instead, so the answer
 * costs the same work and always says no.
 */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const phc = stored ? PHC.exec(stored) : null;
  if (phc) {
    try {
      return await checkAgainst(password, phc);
    } catch {
      // parameters argon2 refuses: a damaged hash matches nothing (and costs the decoy's work below)
    }
  }
  decoy ??= hashPassword('decoy password that matches nothing');
  await checkAgainst(password, PHC.exec(await decoy));
  return false;
}

async function checkAgainst(password: string, phc: RegExpExecArray | null): Promise<boolean> {
  if (!phc) return false;
  const [, m, t, p, salt, key] = phc;
  const expected = Buffer.from(key ?? '', 'base64');
  const actual = await derive(password, Buffer.from(salt ?? '', 'base64'), { memory: Number(m), passes: Number(t), parallelism: Number(p) });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
