import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyScimToken } from '../store/scim-tokens.ts';
import { databaseKinds, openTestDatabase } from '../store/testing.ts';
import { can } from './identity.ts';
import { createToken, listTokens, revokeToken, verifyToken } from './tokens.ts';

for (const kind of databaseKinds) {
  describe(`API and agent tokens on ${kind}`, () => {
    it('acts with the token’s role, caps an agent to read, plan and request, and keeps kinds apart', async () => {
      const db = await openTestDatabase(kind);
      try {
        const viewer = await createToken(db, { name: 'dash-reader', kind: 'api', role: 'viewer', createdBy: 'operator:admin' });
        const approver = await createToken(db, { name: 'ci-approver', kind: 'api', role: 'approver', createdBy: 'operator:alice' });
        const agent = await createToken(db, { name: 'claude', kind: 'agent', role: 'admin', createdBy: 'operator:admin' });
        const scim = await createToken(db, { name: 'entra', kind: 'scim', createdBy: 'operator:admin' });
        assert.match(viewer.value, /^rat_/);
        assert.match(agent.value, /^rag_/);
        assert.match(scim.value, /^rst_/);

        const asViewer = await verifyToken(db, viewer.value);
        assert.deepEqual(asViewer && { kind: asViewer.kind, actor: asViewer.actor, role: asViewer.role }, { kind: 'token', actor: 'token:dash-reader', role: 'viewer' });
        assert.ok(asViewer && can(asViewer, 'read') && !can(asViewer, 'plan'));
        const asApprover = await verifyToken(db, approver.value);
        assert.equal(asApprover?.owner, 'operator:alice', 'an API token acts for the person who made it');
        const asAgent = await verifyToken(db, agent.value);
        assert.equal(asAgent?.kind, 'agent');
        assert.equal(asAgent?.actor, 'agent:claude');
        assert.ok(asAgent && can(asAgent, 'request') && !can(asAgent, 'approve') && !can(asAgent, 'apply') && !can(asAgent, 'admin'), 'an admin-role agent still only reads, plans and requests');

        assert.equal(await verifyToken(db, scim.value), undefined, 'a SCIM push token is no API credential');
        assert.equal(await verifyScimToken(db, viewer.value), undefined, 'an API token cannot push SCIM');
        assert.ok(await verifyScimToken(db, scim.value), 'SCIM push tokens keep working');
        assert.equal(await verifyToken(db, `${viewer.value.slice(0, -1)}${viewer.value.endsWith('A') ? 'B' : 'A'}`), undefined, 'a wrong secret');
        assert.equal(await verifyToken(db, viewer.value.replace(/^rat_/, 'rag_')), undefined, 'an api token presented as an agent token');
        assert.equal(await verifyToken(db, 'rat_nothere00000_' + 'a'.repeat(43)), undefined);
        assert.equal(await verifyToken(db, ''), undefined);
      } finally {
        await db.close();
      }
    });

    it('refuses a revoked token on the very next request, and records when each was last used without its value', async () => {
      const db = await openTestDatabase(kind);
      try {
        const made = await createToken(db, { name: 'script', kind: 'api', role: 'operator', createdBy: 'operator:admin' });
        assert.ok(await verifyToken(db, made.value));
        const listed = await listTokens(db);
        assert.ok(listed[0]?.lastUsedAt instanceof Date, 'last used is kept');
        assert.ok(!JSON.stringify(listed).includes(made.value.slice(-43)), 'the value is not listed');
        assert.equal((await revokeToken(db, 'SCRIPT'))?.id, made.token.id);
        assert.equal(await verifyToken(db, made.value), undefined, 'revoked: refused at once');
        assert.equal(await revokeToken(db, 'script'), undefined, 'nothing left to revoke');
      } finally {
        await db.close();
      }
    });

    it('refuses bad input clearly and saves nothing', async () => {
      const db = await openTestDatabase(kind);
      try {
        await assert.rejects(createToken(db, { name: 'x', kind: 'api', createdBy: 'operator:a' }), /needs a role/);
        await assert.rejects(createToken(db, { name: 'bad name', kind: 'api', role: 'viewer', createdBy: 'operator:a' }), /token names/);
        await assert.rejects(createToken(db, { name: 'x', kind: 'scim', role: 'admin', createdBy: 'operator:a' }), /no role/);
        await assert.rejects(createToken(db, { name: 'x', kind: 'nope' as 'api', role: 'admin', createdBy: 'operator:a' }), /token kinds/);
        await assert.rejects(createToken(db, { name: 'x', kind: 'api', role: 'root' as 'admin', createdBy: 'operator:a' }), /roles are/);
        assert.deepEqual(await listTokens(db), []);
      } finally {
        await db.close();
      }
    });
  });
}
