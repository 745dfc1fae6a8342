import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createServerApp } from '../app.ts';
import type { Database } from '../../store/database.ts';

// Building the app and its document touches no database.
const db = {} as Database;

describe('the OpenAPI document at /api/openapi.json', () => {
  const app = createServerApp({ db, apps: [] });

  it('is a valid OpenAPI 3.1 document with the session cookie and bearer token schemes', async () => {
    const response = await app.request('http://127.0.0.1/api/openapi.json');
    assert.equal(response.status, 200);
    const doc = (await response.json()) as { openapi: string; components: { securitySchemes: Record<string, { type: string; in?: string; scheme?: string }> } };
    assert.equal(doc.openapi, '3.1.0');
    const result = await new Validator().validate(doc as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.equal(doc.components.securitySchemes.session?.in, 'cookie');
    assert.equal(doc.components.securitySchemes.bearer?.scheme, 'bearer');
  });

  it('documents every /api route the app serves, and nothing it does not', async () => {
    const doc = (await (await app.request('http://127.0.0.1/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} /api${path.replace(/\{(\w+)\}/g, ':$1')}`)));
    const served = new Set(
      app.routes
        .filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL' && r.path !== '/api/openapi.json')
        .map((r) => `${r.method} ${r.path}`),
    );
    assert.ok(served.size >= 15, `found ${served.size} routes`);
    assert.deepEqual([...served].filter((r) => !documented.has(r)), [], 'served but not documented');
    assert.deepEqual([...documented].filter((r) => !served.has(r)), [], 'documented but not served');
  });

  it('answers JSON errors in one shape for an unknown /api path', async () => {
    const response = await app.request('http://127.0.0.1/api/no-such-thing');
    assert.equal(response.status, 404);
    assert.deepEqual(Object.keys(((await response.json()) as { error: object }).error), ['code', 'message']);
  });
});
