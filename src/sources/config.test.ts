import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../config/load.ts';
import { isRosterError } from '../errors.ts';

const env = { ENTRA_SECRET: 'entra-client-secret', OKTA_TOKEN: 'okta-api-token' };
const entra = { type: 'entra', tenantId: 'contoso.onmicrosoft.com', clientId: 'c1', clientSecret: 'env:ENTRA_SECRET' };
const okta = { type: 'okta', baseUrl: 'https://acme.okta.com', auth: { type: 'ssws', token: 'env:OKTA_TOKEN' } };

function problems(input: unknown): string {
  try {
    parseConfig(input, '/tmp/roster.yaml', { env });
  } catch (error) {
    assert.ok(isRosterError(error));
    assert.doesNotMatch(error.message, /\n/);
    return error.message;
  }
  assert.fail('expected a config error');
}

describe('sources in roster.yaml', () => {
  it('names its sources: files, the SCIM push, Entra ID and Okta, with defaults and resolved secrets', () => {
    const config = parseConfig({ sources: { hr: { type: 'csv', file: 'people.csv' }, push: { type: 'scim' }, entra: { ...entra, apps: ['sp-1', { id: 'sp-2', name: 'zia' }] }, okta } }, '/tmp/roster.yaml', { env });
    const byName = Object.fromEntries(config.sources.map((s) => [s.name, s]));
    assert.equal(byName.hr?.type === 'csv' && byName.hr.file, '/tmp/people.csv');
    const e = byName.entra;
    assert.ok(e?.type === 'entra');
    assert.equal(e.graphUrl, 'https://graph.microsoft.com/v1.0');
    assert.equal(e.authority, 'https://login.microsoftonline.com');
    assert.equal(e.pageSize, 999);
    assert.deepEqual(e.apps, [{ id: 'sp-1', name: 'sp-1' }, { id: 'sp-2', name: 'zia' }]);
    assert.deepEqual(e.schedule, { incrementalMinutes: 5, fullDays: 7 });
    assert.equal(e.clientSecret.reveal(), 'entra-client-secret');
    assert.equal(JSON.stringify(e).includes('entra-client-secret'), false);
    const o = byName.okta;
    assert.ok(o?.type === 'okta' && o.auth.type === 'ssws');
    assert.equal(o.auth.token.reveal(), 'okta-api-token');
  });

  it('conflicting sources are one clear error listing each: a tenant read twice, a file named twice, people.file again', () => {
    const message = problems({
      people: { file: 'people.csv' },
      sources: {
        a: entra,
        b: { ...entra, tenantId: 'CONTOSO.onmicrosoft.com' },
        c: okta,
        d: { ...okta, baseUrl: 'https://acme.okta.com/' },
        hr: { type: 'csv', file: 'people.csv' },
        hr2: { type: 'json', file: 'people.csv' },
      },
    });
    assert.match(message, /sources\.b: reads Entra tenant CONTOSO\.onmicrosoft\.com, as sources\.a does already/);
    assert.match(message, /sources\.d: reads Okta org https:\/\/acme\.okta\.com\/, as sources\.c does already/);
    assert.match(message, /sources\.hr: names people\.csv, which people\.file names too/);
    assert.match(message, /sources\.hr2: names the file people\.csv, as sources\.hr does already/);
    assert.match(message, /a json source's file must end in \.json/);
  });

  it('refuses a secret written in the file, plain http to another machine, an unknown type, unknown keys — without echoing the secret', () => {
    const message = problems({
      sources: {
        e: { ...entra, clientSecret: 'hunter2-literal', graphUrl: 'http://graph.example.com/v1.0' },
        x: { type: 'workday' },
        o: { ...okta, shoeSize: 44 },
      },
    });
    assert.match(message, /sources\.e\.clientSecret: must be a secret reference/);
    assert.doesNotMatch(message, /hunter2-literal/);
    assert.match(message, /sources\.o: unknown key shoeSize/);
    assert.match(message, /sources\.x\.type/);
  });

  it('a missing environment variable for a source secret is named', () => {
    assert.match(problems({ sources: { okta: { ...okta, auth: { type: 'ssws', token: 'env:NOT_SET_ANYWHERE' } } } }), /sources\.okta\.auth\.token: environment variable NOT_SET_ANYWHERE is not set/);
  });
});
