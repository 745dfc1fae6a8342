import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RemoteAccount } from '../../src/core/account.ts';
import { isRosterError, type ErrorCode } from '../../src/errors.ts';
import type { Connector } from '../../src/connectors/connector.ts';
import { moduleFor } from '../../src/connectors/modules.ts';
import type { ContractHarness, HarnessInstance } from './harness.ts';
import { scimHarness } from './scim-harness.ts';
import { ziaDisableLeaversHarness, ziaHarness } from './zscaler-harness.ts';
import { netskopeHarness } from './netskope-harness.ts';
import { umbrellaV1Harness } from './umbrella-v1-harness.ts';
import { umbrellaV2Harness } from './umbrella-v2-harness.ts';
import { umbrellaScimHarness } from './umbrella-scim-harness.ts';
import { rsaHarness } from './rsa-harness.ts';
import { ziaScimHarness } from './zscaler-scim-harness.ts';

/** Every connector, paired with its simulator, must pass this suite or refuse by capability. */
const harnesses: ContractHarness[] = [scimHarness, ziaHarness, ziaDisableLeaversHarness, netskopeHarness, umbrellaV1Harness, umbrellaV2Harness, umbrellaScimHarness, rsaHarness, ziaScimHarness];

async function listAll(connector: Connector): Promise<RemoteAccount[]> {
  const all: RemoteAccount[] = [];
  for await (const page of connector.listAccounts()) all.push(...page.accounts);
  return all;
}

const rejectsWith = (code: ErrorCode) => (error: unknown) => {
  assert.ok(isRosterError(error, code), `expected ${code}, got ${String(error)}`);
  assert.ok(!String((error as Error).message).includes('\n'), 'one line');
  return true;
};

for (const harness of harnesses) {
  describe(`connector contract: ${harness.name}`, () => {
    let h: HarnessInstance;
    let c: Connector;
    let counter = 0;
    const fresh = () => h.newAccount(`contract${(counter += 1)}`);
    before(async () => {
      h = await harness.start();
      c = h.connector;
      await h.seed(250);
    });
    after(() => h.close());

    it('lists every account, paged, in the fewest requests the API allows', async () => {
      let pages = 0;
      const ids = new Set<string>();
      for await (const page of c.listAccounts()) {
        pages += 1;
        for (const account of page.accounts) ids.add(account.remoteId);
      }
      assert.equal(ids.size, 250);
      assert.equal(pages, h.minListRequests(250));
    });

    it('says what it can do exactly as its module does (one capability model)', () => {
      const module = moduleFor(c.type);
      assert.deepEqual(c.capabilities, module.capabilitiesFor && h.settings ? module.capabilitiesFor(h.settings as never) : module.capabilities);
      assert.equal(typeof c.deleteAccounts === 'function', c.capabilities.bulkDelete, 'deleteAccounts is there exactly when bulkDelete says so');
    });

    it('finds an account by userName and by email', async () => {
      const byUserName = await c.findAccount({ userName: 'seed7@example.com' });
      assert.equal(byUserName?.email, 'seed7@example.com');
      const byEmail = await c.findAccount({ email: 'seed8@example.com' });
      assert.equal(byEmail?.email, 'seed8@example.com');
      assert.equal(await c.findAccount({ userName: 'nobody@example.com' }), undefined);
    });

    it('creates an account the app then holds', async (t) => {
      if (!c.capabilities.createAccount) {
        await assert.rejects(c.createAccount(fresh()), rejectsWith('unsupported'));
        return t.skip('no createAccount capability: refused');
      }
      const input = fresh();
      const created = await c.createAccount(input);
      await c.flush();
      const remote = await h.remote(created.remoteId);
      assert.equal(remote?.email, input.email);
      assert.equal(remote?.department, input.department);
      assert.equal(remote?.active, true);
    });

    it('updates one attribute without losing the others', async (t) => {
      const created = await c.createAccount(fresh());
      await c.flush();
      const change = h.change ?? { department: h.otherDepartment };
      if (!c.capabilities.updateAccount) {
        await assert.rejects(c.updateAccount(created.remoteId, change), rejectsWith('unsupported'));
        return t.skip('no updateAccount capability: refused');
      }
      const before = await h.remote(created.remoteId);
      await c.updateAccount(created.remoteId, change);
      await c.flush();
      const after = await h.remote(created.remoteId);
      const blank = Object.fromEntries(Object.keys(change).map((k) => [k, undefined]));
      for (const [key, value] of Object.entries(change)) assert.equal(after?.[key as keyof typeof after], value);
      assert.deepEqual({ ...after, ...blank, raw: undefined }, { ...before, ...blank, raw: undefined });
    });

    it('deactivates and reactivates, keeping the account', async (t) => {
      const input = fresh();
      const created = await c.createAccount(input);
      if (!c.capabilities.deactivate) {
        await assert.rejects(c.setActive(created.remoteId, false), rejectsWith('unsupported'));
        return t.skip('no deactivate capability: refused');
      }
      await c.setActive(created.remoteId, false);
      await c.flush();
      assert.equal((await h.remote(created.remoteId))?.active, false);
      await c.setActive(created.remoteId, true);
      await c.flush();
      const remote = await h.remote(created.remoteId);
      assert.equal(remote?.active, true);
      assert.equal(remote?.department, input.department);
      assert.equal(remote?.familyName, input.familyName);
    });

    it('deletes an account', async (t) => {
      const created = await c.createAccount(fresh());
      if (!c.capabilities.deleteAccount) {
        await assert.rejects(c.deleteAccount(created.remoteId), rejectsWith('unsupported'));
        assert.ok(await h.remote(created.remoteId), 'the refused delete changed nothing');
        return t.skip('no deleteAccount capability: refused');
      }
      await c.deleteAccount(created.remoteId);
      await c.flush();
      assert.equal(await h.remote(created.remoteId), undefined);
      assert.equal(await c.getAccount(created.remoteId), undefined);
    });

    it('adds to and removes from a group, touching no other member', async (t) => {
      if (!c.capabilities.groups) {
        await assert.rejects(c.addToGroup('1', h.group), rejectsWith('unsupported'));
        return;
      }
      const a = await c.createAccount(fresh());
      const b = await c.createAccount(fresh());
      await c.addToGroup(a.remoteId, h.group);
      await c.addToGroup(b.remoteId, h.group);
      await c.flush();
      assert.ok((await h.members(h.group)).includes(a.remoteId));
      assert.equal(await c.isMember(a.remoteId, h.group), true, 'the connector sees the membership it made');
      await c.removeFromGroup(a.remoteId, h.group);
      await c.flush();
      const members = await h.members(h.group);
      assert.ok(!members.includes(a.remoteId));
      assert.ok(members.includes(b.remoteId), 'the other member stays');
      assert.equal(await c.isMember(a.remoteId, h.group), false);
      t.diagnostic(`group members now ${members.length}`);
    });

    it('404: an unknown account is absent on read and not_found on write', async () => {
      assert.equal(await c.getAccount('999999999'), undefined);
      await assert.rejects(c.updateAccount('999999999', h.change ?? { department: h.otherDepartment }), rejectsWith(c.capabilities.updateAccount ? 'not_found' : 'unsupported'));
    });

    it('409: a duplicate is a conflict', async () => {
      const input = fresh();
      await c.createAccount(input);
      await assert.rejects(c.createAccount(input), rejectsWith('conflict'));
    });

    it('401: a wrong credential is auth_failed', async () => {
      const wrong = h.wrongCredential();
      try {
        await assert.rejects(listAll(wrong), rejectsWith('auth_failed'));
      } finally {
        await wrong.close();
      }
    });

    it('403: a forbidden answer is reported as such', async () => {
      h.faults.set({ serverError: { count: 1, status: 403 } });
      try {
        await assert.rejects(c.findAccount({ userName: 'seed1@example.com' }), rejectsWith('forbidden'));
      } finally {
        h.faults.clear();
      }
    });

    it('429: waited out, nothing lost', async () => {
      h.faults.set({ rateLimit: { count: 2, retryAfter: { kind: 'seconds', seconds: 1 } }, after: 1 });
      try {
        assert.ok((await listAll(c)).length >= 250);
      } finally {
        h.faults.clear();
      }
    });

    it('5xx and dropped connections: reads retried; a write that keeps failing is reported with its reason, not done twice', async () => {
      h.faults.set({ serverError: { count: 2 } });
      assert.ok((await listAll(c)).length >= 250);
      h.faults.set({ drop: { count: 2 } });
      assert.ok(await c.findAccount({ userName: 'seed3@example.com' }));
      const input = fresh();
      h.faults.set({ serverError: { count: 1 } });
      await assert.rejects(c.createAccount(input), rejectsWith('app_error'));
      h.faults.clear();
      assert.equal(await c.findAccount({ userName: input.userName }), undefined, 'the failed write did not happen');
    });
  });
}
