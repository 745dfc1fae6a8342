import { exchangeEvent } from '../audit/exchange.ts';
import { recordAudit } from '../audit/trail.ts';
import type { Connector } from '../connectors/connector.ts';
import type { RemoteAccount } from '../core/account.ts';
import { RosterError } from '../errors.ts';
import { recordAccountChange } from '../store/accounts.ts';
import type { Database } from '../store/database.ts';
import { linkCreatedAccount } from '../store/links.ts';
import { getSnapshot } from '../store/snapshots.ts';

/**
 * Re-creates a deleted account from its snapshot: the same attributes, active state and groups.
 * The app gives it a new id; roster links it to the same person.
 */
export async function restoreSnapshot(db: Database, snapshotId: number, connectorFor: (appName: string) => Connector, actor: string): Promise<RemoteAccount> {
  const snapshot = await getSnapshot(db, snapshotId);
  if (!snapshot) throw new RosterError('not_found', `no snapshot ${snapshotId}; roster audit --action snapshot lists them`);
  const before = snapshot.account;
  const connector = connectorFor(snapshot.appName);
  // Every request of a restore is in the trail, written as it is made.
  let requestLog: Promise<void> = Promise.resolve();
  connector.observe((exchange) => {
    const event = exchangeEvent(actor, snapshot.appName, 'app.request', exchange, { snapshotId });
    requestLog = requestLog.then(() => recordAudit(db, event), () => recordAudit(db, event));
  });
  try {
    const userName = before.userName ?? before.email;
    if (!userName) throw new RosterError('input_invalid', `snapshot ${snapshotId} has no userName or email to restore by`);
    if (await connector.findAccount({ userName })) throw new RosterError('conflict', `${snapshot.appName} already has an account ${userName}; nothing restored`);
    const input = { userName, email: before.email, externalId: before.externalId, displayName: before.displayName, givenName: before.givenName, familyName: before.familyName, department: before.department, title: before.title, role: before.role, active: true };
    const created = await connector.createAccount(input);
    if (connector.capabilities.groups) for (const group of before.groups) await connector.addToGroup(created.remoteId, group);
    if (!before.active && connector.capabilities.deactivate) await connector.setActive(created.remoteId, false);
    await connector.flush();
    const restored = await connector.getAccount(created.remoteId);
    if (!restored) throw new RosterError('app_error', `${snapshot.appName}: the restored account ${created.remoteId} cannot be read back`);
    await db.transaction(async (tx) => {
      if (snapshot.personId) await linkCreatedAccount(tx, snapshot.appName, restored.remoteId, snapshot.personId, `restored from snapshot ${snapshotId}`);
      await recordAccountChange(tx, snapshot.appName, { account: restored });
      await recordAudit(tx, { actor, action: 'account.restored', appName: snapshot.appName, target: restored.remoteId, detail: { snapshotId, previousRemoteId: snapshot.remoteId, groups: before.groups } });
    });
    return restored;
  } finally {
    await connector.close().finally(() => requestLog);
  }
}
