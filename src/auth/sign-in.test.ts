import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { queryAudit } from '../audit/trail.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { createOperator, setOperatorDisabled, setOperatorRole } from './operators.ts';
import { resolveSession, revokeSession } from './sessions.ts';
import { signIn } from './sign-in.ts';

const PASSWORD = 'correct horse battery';
const t0 = new Date('2026-12-03T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const minutes = 60_000;

for (const kind of databaseKinds) {
  describe(`sign-in and sessions on ${kind}`, () => {
    it('signs in any spelling of the one account, and never makes a second one', async () => {
      const db = await openTestDatabase(kind);
      try {
        const alice = await createOperator(db, { username: 'Alice', role: 'operator', password: PASSWORD, createdBy: 'system' });
        assert.equal(alice?.username, 'alice');
        for (const spelling of ['alice', 'ALICE ', 'ＡＬＩＣＥ']) {
          const result = await signIn(db, { username: spelling, password: PASSWORD, kind: 'cli', now: t0 });
          assert.ok(result.ok, spelling);
          assert.equal(result.identity.actor, 'operator:alice');
          assert.equal(result.identity.id, alice?.id);
        }
        await assert.rejects(createOperator(db, { username: 'ＡＬＩＣＥ', role: 'admin', password: PASSWORD, createdBy: 'system' }), /exists already/);
        await assert.rejects(createOperator(db, { username: 'ali ce', role: 'admin', createdBy: 'system' }), /usernames are/);
      } finally {
        await db.close();
      }
    });

    it('locks a username after five failures with a retry time, keeps it locked even for the right password, and a success resets the count', async () => {
      const db = await openTestDatabase(kind);
      try {
        await createOperator(db, { username: 'bob', role: 'approver', password: PASSWORD, createdBy: 'system' });
        for (let i = 0; i < 4; i += 1) {
          const r = await signIn(db, { username: 'bob', password: 'wrong password!', kind: 'browser', address: '10.0.0.1', now: at(i * 1000) });
          assert.deepEqual(r.ok ? 'signed in' : r.reason, 'invalid');
        }
        const ok = await signIn(db, { username: 'bob', password: PASSWORD, kind: 'browser', now: at(5000) });
        assert.ok(ok.ok, 'four failures do not lock');
        for (let i = 0; i < 4; i += 1) {
          const r = await signIn(db, { username: 'Bob', password: 'wrong password!', kind: 'browser', now: at(6000 + i) });
          assert.equal(r.ok ? 'signed in' : r.reason, 'invalid', 'the success reset the count');
        }
        const fifth = await signIn(db, { username: 'bob', password: 'wrong password!', kind: 'browser', now: at(7000) });
        assert.ok(!fifth.ok && fifth.reason === 'locked');
        assert.equal(fifth.retryAfterSeconds, 15 * 60);
        const right = await signIn(db, { username: 'bob', password: PASSWORD, kind: 'browser', now: at(8000) });
        assert.ok(!right.ok && right.reason === 'locked', 'the right password does not get past a lock');
        assert.match(right.message, /try again in \d+ s/);
        const later = await signIn(db, { username: 'bob', password: PASSWORD, kind: 'browser', now: at(7000 + 15 * minutes) });
        assert.ok(later.ok, 'the lock ends');

        const events = await queryAudit(db, { limit: 100 });
        const actions = events.map((e) => e.action);
        assert.ok(actions.includes('auth.sign_in_failed') && actions.includes('auth.locked') && actions.includes('auth.sign_in_refused') && actions.includes('auth.signed_in'));
        assert.ok(!JSON.stringify(events).includes('wrong password') && !JSON.stringify(events).includes(PASSWORD), 'no password in the trail');
        assert.ok(events.filter((e) => e.action === 'auth.signed_in').every((e) => e.actor === 'operator:bob'));
      } finally {
        await db.close();
      }
    });

    it('locks an unknown username the same way (no hint whether it exists), and a client address spraying many names', async () => {
      const db = await openTestDatabase(kind);
      try {
        await createOperator(db, { username: 'carol', role: 'viewer', password: PASSWORD, createdBy: 'system' });
        const unknown = await signIn(db, { username: 'nobody', password: 'whatever it is', kind: 'browser', now: t0 });
        const wrong = await signIn(db, { username: 'carol', password: 'whatever it is', kind: 'browser', now: t0 });
        assert.deepEqual(unknown, wrong, 'the same answer for an unknown user and a wrong password');
        for (let i = 0; i < 20; i += 1) await signIn(db, { username: `user${i}`, password: 'guess guess guess', kind: 'browser', address: '192.0.2.7', now: at(i) });
        const fromThere = await signIn(db, { username: 'carol', password: PASSWORD, kind: 'browser', address: '192.0.2.7', now: at(100) });
        assert.ok(!fromThere.ok && fromThere.reason === 'locked', 'the address is locked');
        const elsewhere = await signIn(db, { username: 'carol', password: PASSWORD, kind: 'browser', address: '192.0.2.8', now: at(100) });
        assert.ok(elsewhere.ok, 'carol from another address still signs in');
      } finally {
        await db.close();
      }
    });

    it('ends a session when idle, at its absolute lifetime, on sign-out, when the account is disabled, and follows a role change at once', async () => {
      const db = await openTestDatabase(kind);
      try {
        await createOperator(db, { username: 'dave', role: 'operator', password: PASSWORD, createdBy: 'system' });
        const settings = { browser: { idleMs: 10 * minutes, lifetimeMs: 60 * minutes }, cli: { idleMs: 10 * minutes, lifetimeMs: 60 * minutes } };
        const signed = await signIn(db, { username: 'dave', password: PASSWORD, kind: 'browser', now: t0, sessions: settings });
        assert.ok(signed.ok);
        const value = signed.session.value;
        const live = (ms: number) => resolveSession(db, value, at(ms), settings);
        assert.equal((await live(9 * minutes))?.identity.actor, 'operator:dave');
        assert.ok(await live(18 * minutes), 'each request keeps it alive');
        assert.ok(await live(27 * minutes));
        assert.ok(await live(36 * minutes));
        assert.ok(await live(45 * minutes));
        assert.ok(await live(54 * minutes));
        assert.equal(await live(61 * minutes), undefined, 'never past its lifetime');

        const again = await signIn(db, { username: 'dave', password: PASSWORD, kind: 'browser', now: t0, sessions: settings });
        assert.ok(again.ok);
        assert.equal(await resolveSession(db, again.session.value, at(11 * minutes), settings), undefined, 'idle too long');

        const third = await signIn(db, { username: 'dave', password: PASSWORD, kind: 'browser', now: t0 });
        assert.ok(third.ok);
        await setOperatorRole(db, 'dave', 'viewer');
        assert.equal((await resolveSession(db, third.session.value, t0))?.identity.role, 'viewer', 'the new role counts on the next request');
        assert.equal(await resolveSession(db, third.session.value, t0, undefined, 'cli'), undefined, 'a browser session is no CLI credential');
        await setOperatorDisabled(db, 'dave', true);
        assert.equal(await resolveSession(db, third.session.value, t0), undefined, 'disabled: signed out');
        await setOperatorDisabled(db, 'dave', false);
        assert.equal(await resolveSession(db, third.session.value, t0), undefined, 'enabling again does not revive old sessions');
        const disabledSignIn = await signIn(db, { username: 'dave', password: PASSWORD, kind: 'browser', now: t0 });
        assert.ok(disabledSignIn.ok);
        assert.equal(await revokeSession(db, disabledSignIn.session.value), true);
        assert.equal(await resolveSession(db, disabledSignIn.session.value, t0), undefined, 'signed out');
        assert.equal(await revokeSession(db, disabledSignIn.session.value), false);
        const [row] = await db.query<{ n: number }>('select count(*)::int as n from operator_sessions where id_hash = $1', [disabledSignIn.session.value]);
        assert.equal(row?.n, 0, 'the session value itself is never stored');
      } finally {
        await db.close();
      }
    });

    it('refuses a disabled account even with the right password', async () => {
      const db = await openTestDatabase(kind);
      try {
        await createOperator(db, { username: 'erin', role: 'admin', password: PASSWORD, createdBy: 'system' });
        await setOperatorDisabled(db, 'erin', true);
        const result = await signIn(db, { username: 'erin', password: PASSWORD, kind: 'cli', now: t0 });
        assert.ok(!result.ok && result.reason === 'disabled');
      } finally {
        await db.close();
      }
    });

    it('makes the first account an admin only while there is none, even when two race', async () => {
      const db = await openTestDatabase(kind);
      try {
        await assert.rejects(createOperator(db, { username: 'first', role: 'viewer', createdBy: 'bootstrap' }, { bootstrap: true }), /must be an admin/);
        const both = await Promise.all([
          createOperator(db, { username: 'one', role: 'admin', createdBy: 'bootstrap' }, { bootstrap: true }),
          createOperator(db, { username: 'two', role: 'admin', createdBy: 'bootstrap' }, { bootstrap: true }),
        ]);
        assert.equal(both.filter((o) => o !== undefined).length, 1, 'exactly one bootstrap wins');
      } finally {
        await db.close();
      }
    });
  });
}
