import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { openPostgres, redactUrl } from './postgres.ts';
import { testPostgresUrl } from './testing.ts';

const password = 'Hunter2-s3cret';

/** The message openPostgres fails with, asserted free of every form of the password. */
async function failure(url: string, secret = password): Promise<string> {
  let message = '';
  await assert.rejects(
    openPostgres(url, { max: 1 }),
    (error: Error) => {
      message = error.message;
      return true;
    },
  );
  assert.ok(!message.includes(secret) && !message.includes(encodeURIComponent(secret)), `password in: ${message}`);
  assert.ok(!message.includes('\n'), 'one line');
  return message;
}

const server = new URL(testPostgresUrl);
const withPassword = (database: string, host = server.host) => `postgres://${server.username || 'postgres'}:${password}@${host}/${database}`;

it('never prints the password when the database, host or port is wrong', async () => {
  assert.match(await failure(withPassword('roster_no_such_database')), /^cannot connect to PostgreSQL at postgres:\/\/\w+:\*\*\*@[^ ]+\/roster_no_such_database: database "roster_no_such_database" does not exist$/);
  assert.match(await failure(withPassword('test', '127.0.0.1:1')), /^cannot connect to PostgreSQL at postgres:\/\/\w+:\*\*\*@127\.0\.0\.1:1\/test: connect ECONNREFUSED/);
  assert.match(await failure(withPassword('test', '127.0.0.1:99999')), /^cannot connect to PostgreSQL at postgres:\/\/\w+:\*\*\*@127\.0\.0\.1:99999\/test: Invalid URL$/);
  assert.match(await failure(`postgres://u:x@127.0.0.1/test?password=${password}`), /at postgres:\/\/u:\*\*\*@127\.0\.0\.1\/test\?password=\*\*\*:/);
});

it('refuses a password that would spill into the host or path, without printing it', async () => {
  const spilling = 'pa@ss/Hunter2#x';
  assert.equal(await failure(`postgres://postgres:${spilling}@127.0.0.1/test`, 'Hunter2'), 'the database URL has an unencoded /, ? or # in its user or password; percent-encode them (%2F, %3F, %23)');
  assert.match(await failure(password), /^the database URL must start with postgres:\/\/ or postgresql:\/\//);
});

it('takes the password out of whatever the server answers', async () => {
  // A server (or a proxy in front of one) that repeats the password in its refusal.
  const echo = createServer((socket) => {
    socket.once('data', () => {
      const fields = Buffer.from(`SFATAL\0C28P01\0Mpassword authentication failed: "${password}" and "${encodeURIComponent(password)}" are wrong\0\0`);
      const header = Buffer.alloc(5);
      header.write('E', 0);
      header.writeInt32BE(fields.length + 4, 1);
      socket.end(Buffer.concat([header, fields]));
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = echo.address() as AddressInfo;
    assert.match(await failure(`postgres://roster:${encodeURIComponent(password)}@127.0.0.1:${port}/test`), /password authentication failed: "\*\*\*" and "\*\*\*" are wrong/);
  } finally {
    echo.close();
  }
});

it('redacts the password however the URL is formed', () => {
  assert.equal(redactUrl('postgres://app:pw%2Fx@db.internal:5432/roster'), 'postgres://app:***@db.internal:5432/roster');
  assert.equal(redactUrl('postgres://app:p@ss@db.internal/roster'), 'postgres://app:***@db.internal/roster');
  assert.equal(redactUrl('postgresql://app@db.internal/roster?sslpassword=abc&sslmode=verify-full'), 'postgresql://app@db.internal/roster?sslpassword=***&sslmode=verify-full');
});

it('prepares a statement once per connection and reuses it, and past its bound runs new ones unprepared', async () => {
  const db = await openPostgres(testPostgresUrl, { max: 1, preparedLimit: 2 });
  try {
    for (let round = 0; round < 3; round++) {
      for (const n of [1, 2, 3]) assert.deepEqual(await db.query(`select $1::int + ${n} as v`, [round]), [{ v: round + n }]);
    }
    const prepared = await db.query<{ statement: string }>('select statement from pg_prepared_statements order by statement');
    assert.deepEqual(
      prepared.map((p) => p.statement),
      ['select $1::int + 1 as v', 'select $1::int + 2 as v'],
    );
    // A prepared statement whose error is the caller's still answers that error, every time.
    for (let i = 0; i < 2; i++) await assert.rejects(db.query('select 1 / $1::int as v', [0]), /division by zero/);
  } finally {
    await db.close();
  }
});
