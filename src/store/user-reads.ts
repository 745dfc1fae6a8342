// Reads of people that callers make at the same time, combined into one statement
// (src/store/combiner.ts): an IdP reads a person, by id or by userName, before it changes them.
import { Combiner, type CombineOptions } from './combiner.ts';
import type { Queryable } from './database.ts';
import { userStatesById, usersByUserName, type Doc } from './directory.ts';
import type { UserState, UserStateCache } from './user-states.ts';

export class UserReads {
  readonly #byUserName: Combiner<string, Doc | undefined>;
  readonly #byId: Combiner<string, UserState | undefined>;

  constructor(db: Queryable, remember?: UserStateCache, options: CombineOptions = {}) {
    this.#byUserName = new Combiner<string, Doc | undefined>(
      {
        many: (userNames) => usersByUserName(db, userNames, remember),
        one: async (userName) => (await usersByUserName(db, [userName], remember))[0],
      },
      options,
    );
    this.#byId = new Combiner<string, UserState | undefined>(
      {
        many: (ids) => userStatesById(db, ids, remember),
        one: async (id) => (await userStatesById(db, [id], remember))[0],
      },
      options,
    );
  }

  /** A live person as they are now (`getUserState` without a lock), if any. */
  readonly byId = (id: string): Promise<UserState | undefined> => this.#byId.submit(id);

  /** The live person with this userName (compared as the userName index compares), if any. */
  readonly byUserName = (userName: string): Promise<Doc | undefined> => this.#byUserName.submit(userName);
}
