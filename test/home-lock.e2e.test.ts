import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { roster, workspace } from './support/cli.ts';

it('a home locked by a roster that died as pid 1 is taken over once its heartbeat is stale; a live one is refused', async () => {
  const cwd = workspace();
  const lockFile = join(cwd, '.roster', 'db', 'roster.lock');
  mkdirSync(join(cwd, '.roster', 'db'), { recursive: true });
  const leave = (ageMs: number) => {
    writeFileSync(lockFile, JSON.stringify({ instance: 'container-before-restart', host: hostname(), pid: 1 }));
    const then = new Date(Date.now() - ageMs);
    utimesSync(lockFile, then, then);
  };

  leave(1_000);
  const refused = await roster(['status'], { cwd });
  assert.notEqual(refused.code, 0);
  assert.equal(refused.stderr, `roster: the database folder ${join(cwd, '.roster', 'db')} is in use by another roster process (pid 1 on host ${hostname()}); stop it or use another --home\n`);

  leave(5 * 60_000);
  const recovered = await roster(['status'], { cwd });
  assert.equal(recovered.code, 0, recovered.stderr);
  assert.match(recovered.stdout, /0 people \(0 active\)/);
});
