/** A person's record inside one app, as the app reports it, in roster's common shape. */
export interface RemoteAccount {
  remoteId: string;
  userName?: string | undefined;
  email?: string | undefined;
  externalId?: string | undefined;
  displayName?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  active: boolean;
  department?: string | undefined;
  title?: string | undefined;
  /** The account's role in the app, where the app has roles. */
  role?: string | undefined;
  groups: string[];
  /**
   * Why the app will not let roster delete this account, in words for the person who must act
   * (a ZIA admin); absent when it can be deleted.
   */
  undeletable?: string | undefined;
  /**
   * Why the account is not yet in use, where the app says so (an emailed invitation not yet
   * accepted): not a disabled account, and nothing roster can activate.
   */
  pending?: string | undefined;
  /** The app's own record, kept whole for snapshots and for fields roster does not map. */
  raw: unknown;
}

export interface Account extends RemoteAccount {
  appName: string;
}

/** The attributes roster writes to an app, in its common shape; connectors map them to the vendor's. */
export interface AccountAttributes {
  userName: string;
  email?: string | undefined;
  externalId?: string | undefined;
  displayName?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  active?: boolean | undefined;
  department?: string | undefined;
  title?: string | undefined;
  role?: string | undefined;
}
