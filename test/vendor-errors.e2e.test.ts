import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { roster, signInAsAdmin, workspace } from './support/cli.ts';
import { openDatabase } from '../src/store/open.ts';

const secrets = ['sk_live_51Hvendor', 'Hunter2-admin-pw', 'eyJhbGciOiJIUzI1NiJ9', 'sess-cookie-0042'];

/** An app that refuses every list with an error body quoting credentials, as some do when echoing a request. */
let server: Server;
let baseUrl: string;
before(async () => {
  server = createServer((req, res) => {
    if (req.url?.includes('ServiceProviderConfig')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        detail: `invalid filter; request was {"apiKey":"sk_live_51Hvendor","adminPassword":"Hunter2-admin-pw"} Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\nCookie: SESSION=sess-cookie-0042`,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
});
after(() => server.close());

it('a vendor error body quoting credentials is shown and stored only as a redacted excerpt', async () => {
  const cwd = workspace(`apps:\n  hr:\n    type: scim\n    baseUrl: ${baseUrl}\n    auth: { type: bearer, token: env:HR_TOKEN }\n`);
  await signInAsAdmin(cwd);
  const synced = await roster(['sync'], { cwd, env: { HR_TOKEN: 'roster-token' } });
  assert.notEqual(synced.code, 0);
  assert.match(synced.stdout, /hr: sync FAILED after 0 accounts: hr: GET \/scim\/v2\/Users\?\S+ answered 400 \(invalid filter; request was \{"apiKey":"\[redacted\]","adminPassword":"\[redacted\]"\} Authorization: \[redacted\] \[redacted\] Cookie: \[redacted\]\)/);
  const status = await roster(['status'], { cwd });
  assert.match(status.stdout, /! latest sync failed at .*"apiKey":"\[redacted\]"/);
  const trail = await roster(['audit', '--json'], { cwd });
  assert.match(trail.stdout, /"action":"sync\.failed"/);
  const db = await openDatabase({ home: join(cwd, '.roster') });
  let stored: string;
  try {
    stored = JSON.stringify(await db.query('select * from sync_runs')) + JSON.stringify(await db.query('select * from audit_events'));
  } finally {
    await db.close();
  }
  for (const secret of secrets) {
    for (const [where, text] of Object.entries({ sync: synced.stdout + synced.stderr, status: status.stdout, audit: trail.stdout, database: stored })) {
      assert.ok(!text.includes(secret), `${secret} reached the ${where}`);
    }
  }
});
