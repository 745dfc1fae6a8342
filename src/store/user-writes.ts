// Writes of pushed people that callers make at the same time, combined into one statement
// (src/store/combiner.ts).
import { Combiner, type CombineOptions } from './combiner.ts';
import type { Queryable } from './database.ts';
import { insertUsersLogged, replaceUsersAt, type Doc, type UserInsert, type UserReplace } from './directory.ts';
import type { UserStateCache } from './user-states.ts';

/** Writes of pushed people, each sharing a statement with the writes of others waiting at the time. */
export class UserWrites {
  readonly #replaces: Combiner<UserReplace, Doc | undefined>;
  readonly #inserts: Combiner<UserInsert, Doc>;

  constructor(db: Queryable, remember?: UserStateCache, options: CombineOptions = {}) {
    this.#replaces = new Combiner(
      {
        key: (write) => write.id,
        many: (writes) => replaceUsersAt(db, writes, remember),
        one: async (write) => (await replaceUsersAt(db, [write], remember))[0],
      },
      options,
    );
    this.#inserts = new Combiner(
      {
        key: (write) => String(write.body.userName).toLowerCase(),
        many: (writes) => insertUsersLogged(db, writes, remember),
        one: async (write) => (await insertUsersLogged(db, [write], remember))[0] as Doc,
      },
      options,
    );
  }

  /** `replaceUserAt`: the person's new document, or undefined when they changed or went since their version. */
  replace(write: UserReplace): Promise<Doc | undefined> {
    return this.#replaces.submit(write);
  }

  /** `insertUserLogged`: the new person's document; a userName taken is the database's unique violation. */
  insert(write: UserInsert): Promise<Doc> {
    return this.#inserts.submit(write);
  }
}
