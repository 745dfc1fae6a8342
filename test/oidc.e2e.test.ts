// OIDC sign-in against the simulated provider, over real HTTP on 127.0.0.1: success (linking by a
// verified email, then by subject), and refusals — a wrong PKCE verifier, a replayed code, a bad
// state, a bad nonce, an unknown person — each without a session.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomPKCECodeVerifier } from 'openid-client';
import { startOidcSimulator, type RunningOidcSimulator } from '../simulators/oidc/index.ts';
import { queryAudit } from '../src/audit/trail.ts';
import { createOperator, getOperator } from '../src/auth/operators.ts';
import { createServerApp } from '../src/server/app.ts';
import { listen, type Listening } from '../src/server/listen.ts';
import type { Database } from '../src/store/database.ts';
import { databaseKinds, openTestDatabase } from '../src/store/testing.ts';

const SECRET = 'oidc client secret for tests';

/** A browser's cookie jar for roster's origin, following redirects by hand. */
class Browser {
  readonly cookies = new Map<string, string>();
  readonly rosterOrigin: string;
  constructor(rosterOrigin: string) {
    this.rosterOrigin = rosterOrigin;
  }

  async get(url: string): Promise<Response> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'text/html' };
    if (target.origin === this.rosterOrigin && this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(target, { redirect: 'manual', headers });
    if (target.origin === this.rosterOrigin) {
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq);
        const value = pair.slice(eq + 1);
        if (value === '' || /Max-Age=0/i.test(line)) this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
    }
    return response;
  }

  /** GET start, then the provider's /authorize: answers the callback URL the provider sends the browser to. */
  async toCallback(next = '/api/session'): Promise<URL> {
    const start = await this.get(`${this.rosterOrigin}/auth/oidc/start?next=${encodeURIComponent(next)}`);
    assert.equal(start.status, 302, await start.text());
    const authorize = await this.get(start.headers.get('location') ?? '');
    assert.equal(authorize.status, 302, await authorize.text());
    return new URL(authorize.headers.get('location') ?? '');
  }

  async whoami(): Promise<string | undefined> {
    const response = await this.get(`${this.rosterOrigin}/api/session`);
    if (response.status !== 200) return undefined;
    return ((await response.json()) as { identity: { actor: string } }).identity.actor;
  }
}

for (const kind of databaseKinds) {
  describe(`OIDC sign-in on ${kind}`, () => {
    let sim: RunningOidcSimulator;
    let db: Database;
    let server: Listening;

    before(async () => {
      sim = await startOidcSimulator({
        clients: [{ clientId: 'roster', clientSecret: SECRET, redirectUris: [] }],
        users: [
          { sub: 'u-alice', email: 'Alice@Acme.example', email_verified: true, name: 'Alice' },
          { sub: 'u-mallory', email: 'mallory@acme.example', email_verified: true },
          { sub: 'u-unverified', email: 'bob@acme.example', email_verified: false },
        ],
        signInAs: 'u-alice',
      });
      db = await openTestDatabase(kind);
      await createOperator(db, { username: 'alice', role: 'approver', email: 'alice@acme.example', createdBy: 'test' });
      await createOperator(db, { username: 'bob', role: 'viewer', email: 'bob@acme.example', createdBy: 'test' });
      server = await listen(createServerApp({ db, auth: { oidc: { issuer: sim.issuer, clientId: 'roster', clientSecret: SECRET } } }), '127.0.0.1', 0);
      sim.settings.clients[0]?.redirectUris.push(`${server.origin}/auth/oidc/callback`);
    });
    after(async () => {
      await server.close();
      await sim.close();
      await db.close();
    });

    it('signs in a known person: linked by verified email the first time, by subject after, with no secret in the trail', async () => {
      sim.settings.signInAs = 'u-alice';
      const browser = new Browser(server.origin);
      const callback = await browser.toCallback('/people?x=1');
      assert.equal(callback.origin + callback.pathname, `${server.origin}/auth/oidc/callback`);
      const landed = await browser.get(callback.toString());
      assert.equal(landed.status, 303, await landed.text());
      assert.equal(landed.headers.get('location'), '/people?x=1');
      assert.equal(await browser.whoami(), 'operator:alice');
      const alice = await getOperator(db, 'alice');
      assert.equal(alice?.oidcSubject, 'u-alice');

      const user = sim.settings.users.find((u) => u.sub === 'u-alice');
      if (user) user.email = 'alice.renamed@acme.example';
      const again = new Browser(server.origin);
      assert.equal((await again.get((await again.toCallback()).toString())).status, 303);
      assert.equal(await again.whoami(), 'operator:alice', 'the linked subject signs in whatever the email says now');
      if (user) user.email = 'Alice@Acme.example';

      const trail = JSON.stringify(await queryAudit(db, { limit: 200 }));
      assert.match(trail, /"action":"user.oidc_linked"/);
      assert.match(trail, /"actor":"operator:alice","action":"auth.signed_in"/);
      assert.ok(!trail.includes(SECRET) && !trail.includes(callback.searchParams.get('code') ?? 'no code'), 'no client secret or code in the trail');
    });

    it('refuses a code redeemed with the wrong PKCE verifier (the provider says invalid_grant)', async () => {
      sim.settings.signInAs = 'u-alice';
      const browser = new Browser(server.origin);
      const callback = await browser.toCallback();
      await db.query('update oidc_logins set code_verifier = $1', [randomPKCECodeVerifier()]);
      const refused = await browser.get(callback.toString());
      assert.equal(refused.status, 401);
      assert.match(await refused.text(), /invalid_grant \(code_verifier does not match the code_challenge\)/);
      assert.deepEqual(sim.tokenRequests.at(-1), { status: 400, error: 'invalid_grant' });
      assert.equal(await browser.whoami(), undefined);
    });

    it('refuses a replayed callback and a replayed code', async () => {
      sim.settings.signInAs = 'u-alice';
      const browser = new Browser(server.origin);
      const callback = await browser.toCallback();
      assert.equal((await browser.get(callback.toString())).status, 303);

      const attacker = new Browser(server.origin);
      const replay = await attacker.get(callback.toString());
      assert.equal(replay.status, 400, 'a callback without the browser’s own sign-in cookie is refused');
      assert.equal(await attacker.whoami(), undefined);

      // The attacker starts a sign-in of their own and feeds the stolen code into it.
      const own = await attacker.toCallback();
      const stolen = new URL(own);
      stolen.searchParams.set('code', callback.searchParams.get('code') ?? '');
      const refused = await attacker.get(stolen.toString());
      assert.equal(refused.status, 401);
      assert.match(await refused.text(), /invalid_grant \(authorization code already used\)/);
      assert.equal(await attacker.whoami(), undefined);
    });

    it('refuses a callback whose state was changed, before asking the provider for anything', async () => {
      const browser = new Browser(server.origin);
      const callback = await browser.toCallback();
      const before = sim.tokenRequests.length;
      callback.searchParams.set('state', 'forged-state');
      const refused = await browser.get(callback.toString());
      assert.equal(refused.status, 401);
      assert.match(await refused.text(), /state/);
      assert.equal(sim.tokenRequests.length, before, 'the code was never redeemed');
      assert.equal(await browser.whoami(), undefined);
    });

    it('refuses an ID token with the wrong nonce', async () => {
      sim.faults.nonce = 'not-the-nonce-roster-sent';
      try {
        const browser = new Browser(server.origin);
        const refused = await browser.get((await browser.toCallback()).toString());
        assert.equal(refused.status, 401);
        assert.match(await refused.text(), /nonce/);
        assert.equal(await browser.whoami(), undefined);
      } finally {
        sim.faults.nonce = undefined;
      }
    });

    it('refuses a person roster has no account for, and an email the provider has not verified; makes no account', async () => {
      for (const [sub, pattern] of [
        ['u-mallory', /roster has no account for mallory@acme\.example; ask a roster admin to add one/],
        ['u-unverified', /roster has no account for bob@acme\.example \(the provider has not verified that email\)/],
      ] as const) {
        sim.settings.signInAs = sub;
        const browser = new Browser(server.origin);
        const refused = await browser.get((await browser.toCallback()).toString());
        assert.equal(refused.status, 403);
        assert.match(await refused.text(), pattern);
        assert.equal(await browser.whoami(), undefined);
      }
      assert.equal(await getOperator(db, 'mallory@acme.example'), undefined);
      assert.equal((await getOperator(db, 'bob'))?.oidcSubject, null, 'an unverified email links nothing');
      sim.settings.signInAs = 'u-alice';
    });
  });
}
