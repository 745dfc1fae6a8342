import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadConfig, parseConfig } from './load.ts';

function writeConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'roster-config-'));
  const path = join(dir, 'roster.yaml');
  writeFileSync(path, text);
  return path;
}

describe('config', () => {
  it('resolves env: and file: secrets without ever printing them', () => {
    const path = writeConfig(`
apps:
  hr-scim:
    type: scim
    baseUrl: https://scim.example.com/scim/v2
    auth: { type: bearer, token: env:HR_TOKEN }
  umbrella:
    type: scim
    baseUrl: https://api.example.com/scim
    auth: { type: basic, username: key-id, password: file:umbrella.secret }
`);
    writeFileSync(join(path, '..', 'umbrella.secret'), 's3cr3t-from-file\n');
    const config = loadConfig(path, { env: { HR_TOKEN: 'tok-123456' } });
    const [hr, umbrella] = config.apps;
    assert.equal(hr?.name, 'hr-scim');
    assert.ok(hr?.auth.type === 'bearer');
    assert.equal(hr.auth.token.reveal(), 'tok-123456');
    assert.ok(umbrella?.auth.type === 'basic');
    assert.equal(umbrella.auth.password.reveal(), 's3cr3t-from-file');
    const shown = JSON.stringify(config) + inspect(config, { depth: 10 }) + String(hr.auth.token);
    assert.ok(!shown.includes('tok-123456') && !shown.includes('s3cr3t'), shown);
    assert.equal(hr.timeoutMs, 30_000);
  });

  it('reports every problem at once, each with its path', () => {
    const path = writeConfig(`
apps:
  a:
    type: ldap
    baseUrl: not a url
    auth: { type: bearer, token: env:MISSING_TOKEN }
  b:
    type: scim
    baseUrl: https://b.example.com
    auth: { type: bearer, token: plain-text-token-here }
colour: blue
`);
    assert.throws(
      () => loadConfig(path, { env: {} }),
      (error: Error) => {
        assert.match(error.message, /apps\.a\.type: /);
        assert.match(error.message, /apps\.a\.baseUrl: /);
        assert.match(error.message, /apps\.b\.auth\.token: must be a secret reference/);
        assert.match(error.message, /unknown key colour/);
        assert.ok(!error.message.includes('plain-text-token-here'), 'an inline secret is not echoed');
        assert.ok(!error.message.includes('\n'), 'one line');
        return true;
      },
    );
  });

  it('names a missing secret but never prints a value', () => {
    assert.throws(
      () =>
        parseConfig(
          { apps: { z: { type: 'zscaler', baseUrl: 'https://zsapi.zscaler.net/api/v1', auth: { type: 'zscaler-session', username: 'admin@x.com', password: 'env:ZPASS', apiKey: 'env:ZKEY' } } } },
          undefined,
          { env: { ZPASS: 'hunter2' } },
        ),
      (error: Error) => {
        assert.match(error.message, /1 problem: apps\.z\.auth\.apiKey: environment variable ZKEY is not set/);
        assert.ok(!error.message.includes('hunter2'));
        return true;
      },
    );
  });

  it('points at the line of broken YAML', () => {
    const path = writeConfig('apps:\n  a: [unclosed\n');
    assert.throws(() => loadConfig(path), /not valid YAML at line \d+/);
  });

  it('runs on defaults when the default file is absent, and refuses a named file that is missing', () => {
    const config = loadConfig('/nonexistent/roster.yaml', { optional: true });
    assert.deepEqual(config.apps, []);
    assert.throws(() => loadConfig('/nonexistent/roster.yaml'), /config file \/nonexistent\/roster\.yaml not found/);
  });
});

it('leaves app secrets unread for commands that never call an app', () => {
  const config = parseConfig({ apps: { hr: { type: 'scim', baseUrl: 'https://x.example/scim/v2', auth: { type: 'bearer', token: 'env:NOT_SET_ANYWHERE' } } } }, undefined, { env: {}, appSecrets: false });
  const auth = config.apps[0]?.auth;
  assert.ok(auth?.type === 'bearer');
  assert.throws(() => auth.token.reveal(), /env:NOT_SET_ANYWHERE was not resolved/);
});

it('accepts the example config shipped in the repository', () => {
  const example = new URL('../../roster.example.yaml', import.meta.url).pathname;
  const config = loadConfig(example, { env: { HR_SCIM_TOKEN: 'x' } });
  const hr = config.apps.find((a) => a.name === 'hr-scim');
  assert.deepEqual(hr?.policy.assign, { everyone: false, groups: ['all-staff'], departments: [] });
  assert.equal(hr?.policy.roles[0]?.role, 'Full Admin');
  assert.equal(hr?.policy.approval.massChange.share, 0.1);
});

describe('app URLs', () => {
  const withApps = (apps: Record<string, { baseUrl: string; tokenUrl?: string }>) => ({
    apps: Object.fromEntries(
      Object.entries(apps).map(([name, { baseUrl, tokenUrl }]) => [
        name,
        { type: 'scim', baseUrl, auth: tokenUrl ? { type: 'oauth2-client-credentials', tokenUrl, clientId: 'roster', clientSecret: 'env:CS' } : { type: 'bearer', token: 'env:T' } },
      ]),
    ),
  });
  const env = { T: 'token-value', CS: 'client-secret-value' };

  it('refuses credentials and secret-looking parameters in a URL, naming the app path and never the secret', () => {
    const config = withApps({
      userinfo: { baseUrl: 'https://svc-user:Pa55-userinfo@scim.example.com/scim/v2' },
      apikey: { baseUrl: 'https://scim.example.com/scim/v2?tenant=acme&api_key=k3y-in-query' },
      token: { baseUrl: 'https://scim.example.com/scim/v2?access_token=tok-in-query' },
      sig: { baseUrl: 'https://scim.example.com/scim/v2?sig=sig-in-query&Password=pw-in-query' },
      oauth: { baseUrl: 'https://scim.example.com/scim/v2', tokenUrl: 'https://id.example.com/token?client_secret=cs-in-query' },
    });
    assert.throws(
      () => parseConfig(config, '/etc/roster.yaml', { env }),
      (error: Error) => {
        assert.match(error.message, /^\/etc\/roster\.yaml has 5 problems: /);
        assert.match(error.message, /apps\.userinfo\.baseUrl: holds credentials \(user:password@\); put them in auth as a secret reference/);
        assert.match(error.message, /apps\.apikey\.baseUrl: its query string carries a secret-looking parameter \(api_key\)/);
        assert.match(error.message, /apps\.token\.baseUrl: its query string carries a secret-looking parameter \(access_token\)/);
        assert.match(error.message, /apps\.sig\.baseUrl: its query string carries a secret-looking parameter \(sig, Password\)/);
        assert.match(error.message, /apps\.oauth\.auth\.tokenUrl: its query string carries a secret-looking parameter \(client_secret\)/);
        for (const secret of ['Pa55-userinfo', 'svc-user', 'k3y-in-query', 'tok-in-query', 'sig-in-query', 'pw-in-query', 'cs-in-query']) assert.ok(!error.message.includes(secret), `${secret} echoed`);
        return true;
      },
    );
  });

  it('refuses plain http:// off this machine and allows it for loopback simulators', () => {
    assert.throws(
      () => parseConfig(withApps({ zia: { baseUrl: 'http://zsapi.zscaler.net/api/v1' }, okta: { baseUrl: 'https://x.example/scim/v2', tokenUrl: 'http://10.0.0.5/oauth2/token' } }), undefined, { env }),
      (error: Error) => {
        assert.match(error.message, /apps\.zia\.baseUrl: plain http:\/\/ to zsapi\.zscaler\.net would send credentials unencrypted; use https:\/\//);
        assert.match(error.message, /apps\.okta\.auth\.tokenUrl: plain http:\/\/ to 10\.0\.0\.5 would send/);
        return true;
      },
    );
    const config = parseConfig(
      withApps({ a: { baseUrl: 'http://127.0.0.1:8080/scim/v2' }, b: { baseUrl: 'http://localhost:9000/api' }, c: { baseUrl: 'http://[::1]:9000/scim?tenant=acme' }, d: { baseUrl: 'http://127.5.6.7/' } }),
      undefined,
      { env },
    );
    assert.deepEqual(
      config.apps.map((app) => app.name),
      ['a', 'b', 'c', 'd'],
    );
  });

  it('reports unsafe URLs together with the schema problems, all at once', () => {
    const path = writeConfig(`
apps:
  hr:
    type: ldap
    baseUrl: https://admin:hunter2@scim.example.com
    auth: { type: bearer, token: env:T }
`);
    assert.throws(
      () => loadConfig(path, { env }),
      (error: Error) => {
        assert.match(error.message, /has 2 problems: apps\.hr\.type: .*; apps\.hr\.baseUrl: holds credentials/);
        assert.ok(!error.message.includes('hunter2'));
        return true;
      },
    );
  });
});

it('accepts only connector types that have a module, and says which those are', () => {
  for (const type of ['okta-apps', 'jira']) {
    assert.throws(
      () => parseConfig({ apps: { x: { type, baseUrl: 'https://x.example', auth: { type: 'bearer', token: 'env:T' } } } }, undefined, { env: { T: 't' } }),
      (error: Error) => {
        assert.match(error.message, new RegExp(`apps\\.x\\.type: no connector for type ${type}; known types: scim, zscaler, netskope, umbrella, rsa, zscaler-scim`));
        return true;
      },
    );
  }
  // Umbrella (its API named) and RSA have modules now.
  const config = parseConfig(
    { apps: { umbrella: { type: 'umbrella', api: 'scim', baseUrl: 'https://api.umbrella.com/identity/v2/scim', auth: { type: 'bearer', token: 'env:T' } }, rsa: { type: 'rsa', baseUrl: 'https://acme.auth.securid.com/scim/v2', auth: { type: 'bearer', token: 'env:T' } } } },
    undefined,
    { env: { T: 't' } },
  );
  assert.deepEqual(config.apps.map((a) => a.type), ['umbrella', 'rsa']);
});

it('checks each app against its own module: its auth kinds and its own settings', () => {
  const parse = (app: Record<string, unknown>) => () => parseConfig({ apps: { x: { baseUrl: 'https://x.example', ...app } } }, undefined, { env: { T: 't' } });
  assert.throws(parse({ type: 'scim', auth: { type: 'zscaler-session', username: 'a', password: 'env:T', apiKey: 'env:T' } }), /apps\.x\.auth\.type: a scim app authenticates with auth\.type bearer or basic or header or oauth2-client-credentials/);
  assert.throws(parse({ type: 'scim', auth: { type: 'bearer', token: 'env:T' }, events: { token: 'env:T' } }), /apps\.x: unknown key events/);
  assert.throws(parse({ type: 'netskope', auth: { type: 'header', header: 'Netskope-Api-Token', token: 'env:T' }, defaults: { department: 'Sales' } }), /apps\.x: unknown key defaults/);
  const [netskope] = parseConfig({ apps: { x: { type: 'netskope', baseUrl: 'https://x.example', auth: { type: 'header', header: 'Netskope-Api-Token', token: 'env:T' }, events: { token: 'env:T' } } } }, undefined, { env: { T: 'rest-token' } }).apps;
  assert.ok(netskope?.type === 'netskope');
  assert.equal(netskope.events?.token.reveal(), 'rest-token');
});
