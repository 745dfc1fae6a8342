import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram, commandNamed } from './program.ts';

describe('the command a roster invocation runs', () => {
  it('is the first word that is neither an option nor the value of a global option', () => {
    assert.equal(commandNamed(['status']), 'status');
    assert.equal(commandNamed(['--home', 'status', 'sync']), 'sync', 'a home folder named status is not the command');
    assert.equal(commandNamed(['-c', 'plan', '--home', 'x', 'apply', '--yes']), 'apply');
    assert.equal(commandNamed(['--config=roster.yaml', 'token', 'create', 'okta']), 'token');
    assert.equal(commandNamed(['--', 'status']), 'status');
    assert.equal(commandNamed(['--help']), undefined);
    assert.equal(commandNamed([]), undefined);
  });

  it('has every command in the full help, and the command run among those it loads', async () => {
    const all = (await buildProgram(['--help'])).commands.map((command) => command.name());
    for (const name of ['demo', 'import', 'sync', 'pull', 'status', 'plan', 'apply', 'restore', 'worker', 'serve', 'login', 'logout', 'whoami', 'user', 'mcp', 'token', 'audit', 'simulate', 'generate']) {
      assert.ok(all.includes(name), `${name} is missing from the full help`);
    }
    for (const name of all) assert.ok((await buildProgram(['--home', 'h', name])).commands.some((command) => command.name() === name), `${name} is not loaded when it is run`);
    assert.deepEqual((await buildProgram(['stauts'])).commands.length, all.length, 'an unknown command sees them all, for a suggestion');
  });
});
