import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { roster, type Run, signInAsAdmin, workspace } from './support/cli.ts';
import { openDatabase } from '../src/store/open.ts';
import { listPeople } from '../src/store/people.ts';
import type { Person } from '../src/core/person.ts';

function assertOneLineError(run: Run, pattern: RegExp): void {
  assert.notEqual(run.code, 0, `non-zero exit; stdout: ${run.stdout}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${run.stderr}`);
  assert.match(lines[0] ?? '', pattern);
}

/** The people in a workspace's embedded database, read after the CLI has exited. */
async function peopleIn(cwd: string): Promise<Person[]> {
  const db = await openDatabase({ home: join(cwd, '.roster') });
  try {
    return await listPeople(db);
  } finally {
    await db.close();
  }
}

const summary = (people: readonly Person[]) => people.map((p) => `${p.userName}:${p.active ? 'active' : 'left'}:${p.displayName ?? ''}`);

describe('roster import', () => {
  it('a file that does not say who is active never reactivates a leaver', async () => {
    const cwd = workspace();
    await signInAsAdmin(cwd);
    writeFileSync(join(cwd, 'start.csv'), 'userName,displayName,active\nann@acme.example,Ann,true\nlee@acme.example,Lee,false\n');
    assert.equal((await roster(['import', 'start.csv'], { cwd })).code, 0);
    writeFileSync(join(cwd, 'no-column.csv'), 'userName,displayName,department\nann@acme.example,Ann,Sales\nlee@acme.example,Lee,Sales\nnew@acme.example,New,Sales\n');
    const noColumn = await roster(['import', 'no-column.csv'], { cwd });
    assert.equal(noColumn.code, 0, noColumn.stderr);
    assert.match(noColumn.stdout, /imported 3 people from no-column\.csv \(1 new, 2 updated\)/);
    writeFileSync(join(cwd, 'blank.csv'), 'userName,displayName,active\nann@acme.example,Ann,\nlee@acme.example,Lee Left,\n');
    assert.equal((await roster(['import', 'blank.csv'], { cwd })).code, 0);
    writeFileSync(join(cwd, 'null.json'), JSON.stringify([{ userName: 'lee@acme.example', displayName: 'Lee', active: null }]));
    assert.equal((await roster(['import', 'null.json'], { cwd })).code, 0);
    const status = await roster(['status', '--json'], { cwd });
    assert.deepEqual((JSON.parse(status.stdout) as { people: unknown }).people, { total: 3, active: 2 });
    assert.deepEqual(summary(await peopleIn(cwd)), ['ann@acme.example:active:Ann', 'lee@acme.example:left:Lee', 'new@acme.example:active:New']);
  });

  it('refuses a duplicate id or a userName clash, naming the rows, and changes nothing', async () => {
    const cwd = workspace();
    await signInAsAdmin(cwd);
    writeFileSync(join(cwd, 'start.csv'), 'id,userName,active\nE1,ann@acme.example,true\nE2,lee@acme.example,false\n');
    assert.equal((await roster(['import', 'start.csv'], { cwd })).code, 0);
    const before = summary(await peopleIn(cwd));

    writeFileSync(join(cwd, 'dup.csv'), 'externalId,userName,active\nE3,joe@acme.example,true\nE4,kim@acme.example,true\nE3,joey@acme.example,false\n');
    assertOneLineError(await roster(['import', 'dup.csv'], { cwd }), /^roster: dup\.csv has 1 problem, nothing imported: row 4: id E3 already given in row 2$/);

    writeFileSync(join(cwd, 'clash.csv'), 'id,userName,active\nE2,lee@acme.example,true\nE9,Ann@ACME.example,true\n');
    assertOneLineError(
      await roster(['import', 'clash.csv'], { cwd }),
      /^roster: clash\.csv has 1 problem, nothing imported: row 3: userName Ann@ACME\.example belongs to person E1 in roster already \(this row's id is E9\)$/,
    );
    assert.deepEqual(summary(await peopleIn(cwd)), before, 'neither file changed anyone');

    writeFileSync(join(cwd, 'swap.csv'), 'id,userName\nE1,lee@acme.example\nE2,ann@acme.example\n');
    const swapped = await roster(['import', 'swap.csv'], { cwd });
    assert.equal(swapped.code, 0, swapped.stderr);
    assert.deepEqual(
      (await peopleIn(cwd)).map((p) => `${p.id}=${p.userName}`),
      ['E1=lee@acme.example', 'E2=ann@acme.example'],
      'two people may swap userNames in one file',
    );
  });

  it('reads UTF-16 and UTF-8 with a byte-order mark, refuses Latin-1 and unmarked UTF-16, and refuses an empty result', async () => {
    const cwd = workspace();
    await signInAsAdmin(cwd);
    const text = 'userName,displayName\nzoe@acme.example,Zoë Łukasiewicz\nrene@acme.example,René Müller\n';
    writeFileSync(join(cwd, 'latin1.csv'), Buffer.from(text, 'latin1'));
    assertOneLineError(await roster(['import', 'latin1.csv'], { cwd }), /^roster: latin1\.csv is not UTF-8: line 2 has the byte 0xEB \(Latin-1 or Windows-1252 text\?\); save it as UTF-8/);
    writeFileSync(join(cwd, 'bare16.csv'), Buffer.from(text, 'utf16le'));
    assertOneLineError(await roster(['import', 'bare16.csv'], { cwd }), /^roster: bare16\.csv holds NUL bytes: it is UTF-16 without a byte-order mark/);
    writeFileSync(join(cwd, 'header-only.csv'), 'userName,displayName\n');
    assertOneLineError(await roster(['import', 'header-only.csv'], { cwd }), /^roster: header-only\.csv holds no people \(expected a header row, then one row per person\); nothing imported$/);
    assert.deepEqual(await peopleIn(cwd), [], 'nothing imported by the refused files');

    writeFileSync(join(cwd, 'utf16.csv'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const utf16 = await roster(['import', 'utf16.csv'], { cwd });
    assert.equal(utf16.code, 0, utf16.stderr);
    assert.match(utf16.stdout, /imported 2 people from utf16\.csv \(2 new, 0 updated\)/);
    assert.deepEqual(summary(await peopleIn(cwd)), ['rene@acme.example:active:René Müller', 'zoe@acme.example:active:Zoë Łukasiewicz']);

    const json = JSON.stringify({ people: [{ userName: 'zoe@acme.example', displayName: 'Zoë Ł.', department: 'R&D' }] });
    writeFileSync(join(cwd, 'bom.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]));
    const bom = await roster(['import', 'bom.json'], { cwd });
    assert.equal(bom.code, 0, bom.stderr);
    assert.match(bom.stdout, /imported 1 people from bom\.json \(0 new, 1 updated\)/);
  });

  it('refuses absurd sizes, naming the limit, and changes nothing', async () => {
    const cwd = workspace();
    await signInAsAdmin(cwd);
    writeFileSync(join(cwd, 'huge-field.csv'), `userName,displayName\nann@acme.example,Ann\nbig@acme.example,${'A'.repeat(30 * 1024 * 1024)}\n`);
    const field = await roster(['import', 'huge-field.csv'], { cwd });
    assertOneLineError(field, /^roster: huge-field\.csv has 1 problem, nothing imported: row 3 displayName: 31,457,280 characters, more than the 1,024 allowed$/);
    writeFileSync(join(cwd, 'huge-file.csv'), 'userName\nann@acme.example\n');
    truncateSync(join(cwd, 'huge-file.csv'), 65 * 1024 * 1024);
    assertOneLineError(await roster(['import', 'huge-file.csv'], { cwd }), /^roster: huge-file\.csv is 65 MB, more than the 64 MB roster reads; nothing imported$/);
    assert.deepEqual(await peopleIn(cwd), []);
  });
});
