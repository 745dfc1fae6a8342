import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../config/load.ts';
import { excerptLength } from '../core/redact.ts';
import { ensureApp, failSyncRun, startSyncRun } from '../store/accounts.ts';
import { openTestDatabase } from '../store/testing.ts';
import { appHealth, bounded } from './read-model.ts';

const vendorBody = `<html><body><h1>500</h1><pre>upstream said: {"password": "hunter2", "api_key": "AKIAQWERTYUIOPASDFGH1234567890abcdef"} Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl ${'stack frame '.repeat(200)}</pre></body></html>`;

describe('what an agent is shown of vendors’ errors: short excerpts, no secrets', () => {
  it('app_health gives an excerpt of a failed sync’s error, never the body or a credential', async () => {
    const db = await openTestDatabase('pglite');
    try {
      const [app] = parseConfig({ apps: { acme: { type: 'scim', baseUrl: 'http://127.0.0.1:9/scim', auth: { type: 'bearer', token: 'env:T' } } } }, undefined, { env: { T: 'x' } }).apps;
      assert.ok(app);
      await ensureApp(db, { name: 'acme', type: 'scim', baseUrl: app.baseUrl });
      await failSyncRun(db, await startSyncRun(db, 'acme'), `acme answered 500: ${vendorBody}`, { accountsRead: 0, listRequests: 1 });
      const [health] = await appHealth(db, [app]);
      const error = health?.problem?.error ?? '';
      assert.match(error, /^acme answered 500/);
      assert.ok(error.length <= excerptLength);
      assert.doesNotMatch(error, /hunter2|AKIA|eyJhbGci|<html>/);
    } finally {
      await db.close();
    }
  });

  it('trail details are bounded: vendor text as an excerpt, long lists and deep nesting cut', () => {
    const shown = bounded({ error: vendorBody, ids: Array.from({ length: 500 }, (_, i) => i), deep: { a: { b: { c: { d: { e: 1 } } } } }, note: 'x'.repeat(5000) }) as Record<string, unknown>;
    assert.ok(String(shown.error).length <= excerptLength);
    assert.doesNotMatch(String(shown.error), /hunter2/);
    assert.equal((shown.ids as unknown[]).length, 20);
    assert.deepEqual(shown.deep, { a: { b: { c: '[…]' } } });
    assert.ok(String(shown.note).length <= 300);
  });
});
