import { RosterError } from '../../errors.ts';
import { SCIM } from '../../scim/schemas.ts';
import type { ScimClient } from './client.ts';

export interface ScimGroupsOptions {
  /** For error text. */
  appName: string;
  /**
   * Ask the lookup by name to leave members out (`excludedAttributes=members`). Default true;
   * apps that leave members out unless asked (Netskope) need not.
   */
  excludeMembersOnLookup?: boolean | undefined;
  /**
   * Membership PATCHes answer the group (or 204, and the group is then read back). Default true;
   * false: a 204 is taken as done and the group is not read (isMember verifies when needed).
   */
  readBackAfterPatch?: boolean | undefined;
}

/**
 * A SCIM app's groups, as roster's connectors use them: found by displayName (ids remembered),
 * members added and removed by PATCH, membership read with `attributes=members`. Shared by the
 * generic SCIM connector and every SCIM-speaking vendor (Netskope).
 */
export class ScimGroups {
  readonly #client: ScimClient;
  readonly #appName: string;
  readonly #excludeMembers: boolean;
  readonly #readBack: boolean;
  readonly #ids = new Map<string, string>();

  constructor(client: ScimClient, options: ScimGroupsOptions) {
    this.#client = client;
    this.#appName = options.appName;
    this.#excludeMembers = options.excludeMembersOnLookup ?? true;
    this.#readBack = options.readBackAfterPatch ?? true;
  }

  /** A group's id by its displayName, looked up once (`filter=displayName eq`). */
  async id(name: string): Promise<string> {
    const known = this.#ids.get(name);
    if (known) return known;
    const page = await this.#client.list('Groups', { startIndex: 1, count: 2, filter: `displayName eq ${JSON.stringify(name)}`, ...(this.#excludeMembers ? { excludedAttributes: 'members' } : {}) });
    const id = page.Resources?.[0]?.id;
    if (typeof id !== 'string') throw new RosterError('not_found', `${this.#appName}: no group named ${name}`);
    this.#ids.set(name, id);
    return id;
  }

  /** Remembers a group's id learnt elsewhere (a list of the groups). */
  remember(name: string, id: string): void {
    this.#ids.set(name, id);
  }

  async addMember(memberId: string, group: string): Promise<void> {
    await this.patch(group, [{ op: 'add', path: 'members', value: [{ value: memberId }] }]);
  }

  async removeMember(memberId: string, group: string): Promise<void> {
    await this.patch(group, [{ op: 'remove', path: `members[value eq ${JSON.stringify(memberId)}]` }]);
  }

  /** Whether the member is in the group, as the app holds it now. */
  async isMember(memberId: string, group: string): Promise<boolean> {
    return (await this.#client.groupMembers(await this.id(group))).includes(memberId);
  }

  /** PATCHes the group named with these operations. */
  async patch(group: string, operations: readonly unknown[]): Promise<void> {
    const id = await this.id(group);
    if (this.#readBack) await this.#client.patch('Groups', id, operations);
    else await this.#client.http.request({ method: 'PATCH', path: `/Groups/${encodeURIComponent(id)}`, body: { schemas: [SCIM.patchOp], Operations: operations } });
  }

  /** member id → names of the groups it is in, from one paged read of every group with its members (ids remembered on the way). */
  async membership(count: number): Promise<Map<string, string[]>> {
    const groupsOf = new Map<string, string[]>();
    for await (const { resources: groups } of this.#client.pages('Groups', { count, attributes: 'displayName,members' })) {
      for (const group of groups) {
        const name = typeof group.displayName === 'string' ? group.displayName : String(group.id);
        if (typeof group.id === 'string') this.#ids.set(name, group.id);
        for (const member of Array.isArray(group.members) ? (group.members as { value?: unknown }[]) : []) {
          if (typeof member.value !== 'string') continue;
          const list = groupsOf.get(member.value) ?? [];
          list.push(name);
          groupsOf.set(member.value, list);
        }
      }
    }
    return groupsOf;
  }
}
