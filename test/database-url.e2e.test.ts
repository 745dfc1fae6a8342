import { it } from 'node:test';
import assert from 'node:assert/strict';
import { roster, workspace } from './support/cli.ts';
import { testPostgresUrl } from '../src/store/testing.ts';

it('a DATABASE_URL that cannot be opened is reported in one line without its password', async () => {
  const server = new URL(testPostgresUrl);
  const password = 'Sup3r-Secret-pw';
  const cwd = workspace();
  for (const url of [
    `postgres://${server.username || 'postgres'}:${password}@${server.host}/roster_missing_database`,
    `postgres://${server.username || 'postgres'}:${password}@127.0.0.1:1/test`,
    `postgres://${server.username || 'postgres'}:x/${password}@${server.host}/test`,
  ]) {
    const run = await roster(['status'], { cwd, env: { DATABASE_URL: url } });
    assert.notEqual(run.code, 0);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /^roster: (cannot connect to PostgreSQL at postgres:\/\/\w+:\*\*\*@|the database URL has an unencoded)/);
    assert.ok(!(run.stdout + run.stderr).includes(password), run.stderr);
  }
});
