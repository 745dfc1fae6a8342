// Reads of people that callers make at the same time, combined into one statement
// (src/store/combiner.ts): an IdP looks a person up by userName before it creates or changes them.
import { Combiner, type CombineOptions } from './combiner.ts';
import type { Queryable } from './database.ts';
import { usersByUserName, type Doc } from './directory.ts';
import type { UserStateCache } from './user-states.ts';

export class UserReads {
  readonly #byUserName: Combiner<string, Doc | undefined>;

  constructor(db: Queryable, remember?: UserStateCache, options: CombineOptions = {}) {
    this.#byUserName = new Combiner<string, Doc | undefined>(
      {
        many: (userNames) => usersByUserName(db, userNames, remember),
        one: async (userName) => (await usersByUserName(db, [userName], remember))[0],
      },
      options,
    );
  }

  /** The live person with this userName (compared as the userName index compares), if any. */
  readonly byUserName = (userName: string): Promise<Doc | undefined> => this.#byUserName.submit(userName);
}
