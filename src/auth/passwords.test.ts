import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';

describe('password hashing', () => {
  it('stores argon2id with its parameters and a fresh salt, and verifies only the right password', async () => {
    const first = await hashPassword('correct horse battery');
    const second = await hashPassword('correct horse battery');
    assert.match(first, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.notEqual(first, second, 'each hash has its own salt');
    assert.ok(!first.includes('correct horse'), 'the password is not in the hash');
    assert.equal(await verifyPassword('correct horse battery', first), true);
    assert.equal(await verifyPassword('correct horse batterY', first), false);
    assert.equal(await verifyPassword('', first), false);
  });

  it('verifies a hash made with other parameters (they are read from the string)', async () => {
    const light = await hashPassword('another long secret', { memory: 8192, passes: 1, parallelism: 1 });
    assert.match(light, /m=8192,t=1,p=1/);
    assert.equal(await verifyPassword('another long secret', light), true);
    assert.equal(await verifyPassword('another long secreT', light), false);
  });

  it('says no to a missing or mangled hash, after the same work as a wrong password', async () => {
    const stored = await hashPassword('correct horse battery');
    await verifyPassword('warm up the decoy', null);
    const time = async (fn: () => Promise<unknown>) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < 3; i += 1) await fn();
      return Number(process.hrtime.bigint() - started);
    };
    const wrong = await time(() => verifyPassword('wrong password here', stored));
    const unknown = await time(() => verifyPassword('wrong password here', undefined));
    assert.equal(await verifyPassword('correct horse battery', null), false);
    assert.equal(await verifyPassword('x', '$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA'), false);
    assert.equal(await verifyPassword('x', 'plain text'), false);
    // Generous on a loaded machine: an unknown user must cost argon2 work, not skip it.
    assert.ok(unknown > wrong / 4, `unknown user took ${unknown} ns, a wrong password ${wrong} ns`);
  });

  it('refuses short passwords when they are set', () => {
    assert.match(passwordProblem('short') ?? '', /12 to 1024/);
    assert.equal(passwordProblem('twelve chars'), undefined);
  });
});
