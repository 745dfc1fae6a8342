// One person, one account: usernames are compared in one normal form, and anything that could
// look like another name (spaces, control or format characters, non-ASCII letters) is refused.

const NORMAL = /^[a-z0-9][a-z0-9._@-]{0,63}$/;

export type NormalisedUsername = { ok: true; username: string } | { ok: false; problem: string };

/** NFKC, trimmed, lowercase; then letters a-z, digits and . _ @ - only (up to 64, starting with a letter or digit). */
export function normaliseUsername(input: string): NormalisedUsername {
  const username = input.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
  if (NORMAL.test(username)) return { ok: true, username };
  const shown = JSON.stringify(input.slice(0, 70));
  if (username.length === 0) return { ok: false, problem: 'a username is required' };
  return { ok: false, problem: `usernames are 1 to 64 of a-z, 0-9, ., _, @ and - (starting with a letter or digit), not ${shown}` };
}

/** Whether two actors name the same identity, whatever the spelling ("operator:Alice " is "operator:alice"). */
export function sameActor(a: string, b: string): boolean {
  const fold = (s: string) => s.normalize('NFKC').replace(/[\s\p{Cf}\p{Cc}]+/gu, '').toLowerCase().normalize('NFKC');
  return fold(a) === fold(b);
}
