// What each SCIM write does: check the body, change the store in one statement or transaction (with its audit
// event), then hand the people it touched to the fan-out. A failure anywhere changes nothing.
import { randomUUID } from 'node:crypto';
import { auditInsert, recordAudit } from '../audit/trail.ts';
import type { FanOut } from '../engine/inbound.ts';
import { ScimError } from '../scim/errors.ts';
import { parsePath } from '../scim/path.ts';
import { applyPatch, readPatchRequest } from '../scim/patch.ts';
import { deepEqual, isObject } from '../scim/resource.ts';
import { groupResourceType, userResourceType } from '../scim/resource-schemas.ts';
import { checkResource } from '../scim/validate.ts';
import type { Database, Queryable } from '../store/database.ts';
import {
  deleteGroup,
  deleteUser,
  getGroup,
  getUser,
  getUserState,
  insertGroup,
  isUniqueViolation,
  refreshPersonGroups,
  replaceGroup,
  replaceUserAt,
  unknownPeople,
  type Doc,
  type UserState,
} from '../store/directory.ts';
import { UserStateCache } from '../store/user-states.ts';
import { UserReads } from '../store/user-reads.ts';
import { UserWrites } from '../store/user-writes.ts';

export interface Caller {
  /** `idp:<token name>`: who the audit trail and the plans name. */
  actor: string;
}

/** A check on the stored resource before it changes (If-Match). */
export type Precondition = (current: Doc) => void;

const userPatchOptions = { readOnly: ['id', 'meta', 'groups'] };
const groupPatchOptions = { readOnly: ['id', 'meta'] };

export class ScimService {
  readonly #db: Database;
  readonly #fanOut: FanOut | undefined;
  /** People as this process last read or wrote them: the reads that share it fill it. */
  readonly states: UserStateCache;
  /** Writes of people made outside a transaction, combined with those made at the same time. */
  readonly #writes: UserWrites;
  /** Reads of people by id and by userName, combined with those made at the same time. */
  readonly reads: UserReads;

  constructor(db: Database, fanOut?: FanOut, states = new UserStateCache()) {
    this.#db = db;
    this.#fanOut = fanOut;
    this.states = states;
    this.#writes = new UserWrites(db, states);
    this.reads = new UserReads(db, states);
  }

  async createUser(raw: unknown, caller: Caller): Promise<Doc> {
    const body = checkResource(userResourceType, raw, { requireSchemas: true });
    if (body.active === undefined) body.active = true;
    const id = randomUUID();
    const audit = auditInsert({ actor: caller.actor, action: 'scim.user.created', target: id, detail: { userName: body.userName, active: body.active } });
    let doc: Doc;
    try {
      // One statement (shared with others made meanwhile): the person and their audit event are
      // written together or not at all.
      doc = await this.#writes.insert({ id, body, source: 'scim', audit });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const [held] = await this.#db.query<{ deleted: boolean }>('select deleted_at is not null as deleted from people where lower(user_name) = lower($1)', [body.userName]);
      throw uniqueness(held ? `userName "${String(body.userName)}" is taken${held.deleted ? ' (by a person the IdP deleted)' : ''}` : 'another resource has this userName');
    }
    this.#fanOut?.trigger([id], caller.actor);
    return doc;
  }

  async replaceUser(id: string, raw: unknown, caller: Caller, precondition: Precondition): Promise<Doc> {
    const body = checkResource(userResourceType, raw, { requireSchemas: true });
    return this.#changeUser(id, caller, precondition, (current) => {
      // Okta's profile PUTs leave `active` out: that keeps the person's state, never disables them.
      if (body.active === undefined) body.active = current.active !== false;
      return body;
    });
  }

  async patchUser(id: string, request: unknown, caller: Caller, precondition: Precondition): Promise<Doc> {
    readPatchRequest(request);
    return this.#changeUser(id, caller, precondition, (current) => {
      const patched = applyPatch(bodyOf(current), request, userPatchOptions);
      return checkResource(userResourceType, patched, { requireSchemas: false });
    });
  }

  /**
   * Works out the person's next body and writes it with its audit event in one statement, guarded
   * by the version it started from: no lock is held between the read and the write. It starts
   * from the person as this process last saw them, when it has them, else reads them. When the
   * guard fails, or the remembered person gives an error or no change (both are judged on the
   * person as they are now), the person is read afresh and the change made again; if they change
   * once more in between, it is made under a lock, so it always makes progress.
   */
  async #changeUser(id: string, caller: Caller, precondition: Precondition, next: (current: Doc) => Doc): Promise<Doc> {
    // A write in a transaction (tx) is not remembered: it could still roll back, and its version
    // then be given to another change. Other writes share a statement with those made meanwhile.
    const from = async (state: UserState, tx?: Queryable): Promise<{ doc: Doc; changed: boolean } | undefined> => {
      precondition(state.doc);
      const body = next(state.doc);
      if (state.pushed !== null && deepEqual(state.pushed, body)) return { doc: state.doc, changed: false };
      const current = state.doc;
      const audit = auditInsert({ actor: caller.actor, action: 'scim.user.updated', target: id, detail: { userName: body.userName, active: body.active, was: { userName: current.userName, active: current.active } } });
      const doc = tx ? await replaceUserAt(tx, id, state.version, body, 'scim', audit) : await this.#writes.replace({ id, version: state.version, body, source: 'scim', audit });
      return doc ? { doc, changed: true } : undefined;
    };
    const fresh = async (tx?: Queryable) => {
      const state = tx ? await getUserState(tx, id, true) : await this.reads.byId(id);
      if (!state) throw notFound('User', id);
      return from(state, tx);
    };
    const remembered = this.states.get(id);
    const written = remembered ? await from(remembered).catch(() => undefined) : undefined;
    const result = (written?.changed ? written : undefined) ?? (await this.#unique(() => fresh(), 'userName')) ?? (await this.#write((tx) => fresh(tx), 'userName'));
    if (!result) throw new Error(`person ${id} changed while locked`);
    if (result.changed) this.#fanOut?.trigger([id], caller.actor);
    return result.doc;
  }

  async deleteUser(id: string, caller: Caller, precondition: Precondition): Promise<void> {
    const touched = await this.#write(async (tx) => {
      const current = await getUser(tx, id, true);
      if (!current) throw notFound('User', id);
      precondition(current);
      await deleteUser(tx, id);
      this.states.forget(id);
      await refreshPersonGroups(tx, [id]);
      await recordAudit(tx, { actor: caller.actor, action: 'scim.user.deleted', target: id, detail: { userName: current.userName } });
      return [id];
    });
    this.#fanOut?.trigger(touched, caller.actor);
  }

  async createGroup(raw: unknown, caller: Caller): Promise<Doc> {
    const { body, members } = splitMembers(checkResource(groupResourceType, raw, { requireSchemas: true }));
    const id = randomUUID();
    let touched: string[] = [];
    const doc = await this.#write(async (tx) => {
      await requireMembers(tx, members);
      await insertGroup(tx, id, body, members, 'scim');
      touched = await refreshPersonGroups(tx, members);
      await recordAudit(tx, { actor: caller.actor, action: 'scim.group.created', target: id, detail: { displayName: body.displayName, members: members.length } });
      return (await getGroup(tx, id)) as Doc;
    }, 'displayName');
    this.#fanOut?.trigger(touched, caller.actor);
    return doc;
  }

  async replaceGroup(id: string, raw: unknown, caller: Caller, precondition: Precondition): Promise<Doc> {
    const next = splitMembers(checkResource(groupResourceType, raw, { requireSchemas: true }));
    return this.#changeGroup(id, caller, precondition, () => next);
  }

  async patchGroup(id: string, request: unknown, caller: Caller, precondition: Precondition): Promise<Doc> {
    const operations = readPatchRequest(request);
    operations.forEach((operation, index) => {
      if (operation.op !== 'remove' || operation.path === undefined || (operation.value !== undefined && operation.value !== null)) return;
      const path = parsePath(operation.path);
      if (path.attribute.toLowerCase() === 'members' && path.filter === undefined && path.subAttribute === undefined) {
        throw new ScimError(400, `Operations[${index}]: "remove" on "members" names no member, so it would remove them all; name them (value: [{"value": "<id>"}] or path members[value eq "<id>"]), or "replace" members with [] to empty the group on purpose`, 'noTarget');
      }
    });
    return this.#changeGroup(id, caller, precondition, (current) => {
      const patched = applyPatch(bodyOf(current), request, groupPatchOptions);
      return splitMembers(checkResource(groupResourceType, patched, { requireSchemas: false }));
    });
  }

  async #changeGroup(id: string, caller: Caller, precondition: Precondition, next: (current: Doc) => { body: Doc; members: string[] }): Promise<Doc> {
    let touched: string[] = [];
    const doc = await this.#write(async (tx) => {
      const current = await getGroup(tx, id, { lock: true });
      if (!current) throw notFound('Group', id);
      precondition(current);
      const { body, members } = next(current);
      await requireMembers(tx, members);
      const result = await replaceGroup(tx, id, body, members);
      if (!result.changed) return current;
      touched = await refreshPersonGroups(tx, result.affected, result.oldName.toLowerCase() === String(body.displayName).toLowerCase() ? [] : [result.oldName]);
      await recordAudit(tx, { actor: caller.actor, action: 'scim.group.updated', target: id, detail: { displayName: body.displayName, members: members.length, membershipChanged: result.affected.length } });
      return (await getGroup(tx, id)) as Doc;
    }, 'displayName');
    this.#fanOut?.trigger(touched, caller.actor);
    return doc;
  }

  async deleteGroup(id: string, caller: Caller, precondition: Precondition): Promise<void> {
    const touched = await this.#write(async (tx) => {
      const current = await getGroup(tx, id, { members: false, lock: true });
      if (!current) throw notFound('Group', id);
      precondition(current);
      const deleted = await deleteGroup(tx, id);
      const changed = await refreshPersonGroups(tx, deleted?.members ?? [], deleted ? [deleted.name] : []);
      await recordAudit(tx, { actor: caller.actor, action: 'scim.group.deleted', target: id, detail: { displayName: current.displayName, members: deleted?.members.length ?? 0 } });
      return changed;
    });
    this.#fanOut?.trigger(touched, caller.actor);
  }

  /** One transaction; the database refusing a duplicate becomes 409 uniqueness on `attribute`. */
  #write<T>(fn: (tx: Queryable) => Promise<T>, attribute?: string): Promise<T> {
    return this.#unique(() => this.#db.transaction(fn), attribute);
  }

  async #unique<T>(fn: () => Promise<T>, attribute?: string): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (attribute && isUniqueViolation(error)) throw uniqueness(`another resource has this ${attribute}`);
      throw error;
    }
  }
}

/**
 * A stored document as the resource to patch. It keeps id and meta, so a PATCH that sends them
 * back unchanged (Okta's rename sends the id) passes and one that changes them is 400 mutability;
 * the checked result drops them again.
 */
function bodyOf(doc: Doc): Doc {
  return doc;
}

function splitMembers(body: Doc): { body: Doc; members: string[] } {
  const { members, ...rest } = body;
  const list = Array.isArray(members) ? members : [];
  const ids = list.map((m, i) => {
    const value = isObject(m) ? m.value : undefined;
    if (typeof value !== 'string' || value === '') throw new ScimError(400, `members[${i}] needs the "value" of a User`, 'invalidValue');
    return value;
  });
  return { body: rest, members: [...new Set(ids)] };
}

async function requireMembers(tx: Queryable, members: readonly string[]): Promise<void> {
  const missing = await unknownPeople(tx, members);
  if (missing.length > 0) {
    throw new ScimError(400, `no User with id ${missing.slice(0, 5).map((m) => `"${m}"`).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}: push the users before adding them to a group (nested groups are not supported)`, 'invalidValue');
  }
}

function notFound(type: string, id: string): ScimError {
  return new ScimError(404, `no ${type} with id "${id}"`);
}

function uniqueness(detail: string): ScimError {
  return new ScimError(409, detail, 'uniqueness');
}
