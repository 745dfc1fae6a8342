import { RosterError } from '../../errors.ts';
import type { ZiaClient, ZiaNamed } from './client.ts';

export interface ZiaRefWrite {
  id: number;
  name: string;
}

/**
 * Department and group names to the ids ZIA's writes need. Each list is read once per connector
 * (and again after a failed read); names resolve exactly, else by the one case-insensitive match.
 * Never creates a department or group.
 */
export class ZiaDirectory {
  readonly #client: ZiaClient;
  readonly #appName: string;
  #departments: Promise<ZiaNamed[]> | undefined;
  #groups: Promise<ZiaNamed[]> | undefined;

  constructor(client: ZiaClient, appName: string) {
    this.#client = client;
    this.#appName = appName;
  }

  async department(name: string): Promise<ZiaRefWrite> {
    this.#departments ??= this.#client.listDepartments().catch((error: unknown) => {
      this.#departments = undefined;
      throw error;
    });
    return this.#resolve(await this.#departments, name, 'department');
  }

  /** The refs of these groups, each once. */
  async groups(names: readonly string[]): Promise<ZiaRefWrite[]> {
    this.#groups ??= this.#client.listGroups().catch((error: unknown) => {
      this.#groups = undefined;
      throw error;
    });
    const known = await this.#groups;
    const refs = new Map<number, ZiaRefWrite>();
    for (const name of names) {
      const ref = this.#resolve(known, name, 'group');
      refs.set(ref.id, ref);
    }
    return [...refs.values()];
  }

  #resolve(known: readonly ZiaNamed[], name: string, kind: 'department' | 'group'): ZiaRefWrite {
    const exact = known.find((k) => k.name === name);
    const loose = known.filter((k) => k.name.toLowerCase() === name.toLowerCase());
    const hit = exact ?? (loose.length === 1 ? loose[0] : undefined);
    if (hit) return { id: hit.id, name: hit.name };
    const sample = known.slice(0, 10).map((k) => k.name).join(', ');
    throw new RosterError('input_invalid', `${this.#appName}: ZIA has no ${kind} named "${name}" and roster creates none; add it in ZIA first (known: ${sample || 'none'}${known.length > 10 ? ', …' : ''})`, { appName: this.#appName });
  }
}
