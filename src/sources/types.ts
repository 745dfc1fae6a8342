// What an IdP reader hands the engine: people, groups and app assignments as the IdP tells them,
// in roster's terms but keyed by the IdP's immutable ids. Readers make no database writes.
import type { Clock } from '../core/clock.ts';

/** Person fields a source can set (roster's names). */
export interface SourcePersonFields {
  userName?: string | undefined;
  displayName?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  email?: string | undefined;
  department?: string | undefined;
  title?: string | undefined;
  externalId?: string | undefined;
}

export interface SourceStatus {
  active: boolean;
  /** The IdP's own word (Okta's status, Entra's accountEnabled), kept beside roster's active/leaver. */
  raw: string;
  /** Why roster calls it active or a leaver, in a sentence. */
  reason: string;
}

export interface SourcePersonRecord {
  /** The IdP's immutable id: Entra's object id, Okta's user id. */
  sourceId: string;
  /** The fields read. `partial`: only those that changed (Graph's delta); others are as stored. */
  fields: SourcePersonFields;
  partial: boolean;
  status?: SourceStatus | undefined;
  /** The manager's source id; null: no manager any more; undefined: not said. */
  managerSourceId?: string | null | undefined;
  /** Gone from the IdP (deleted): a leaver, with the reason. */
  removed?: { reason: string } | undefined;
}

export interface SourceGroupRecord {
  sourceId: string;
  name?: string | undefined;
  removed?: boolean | undefined;
  /** `replace`: the whole membership; `change`: additions and removals since the last read. */
  mode: 'replace' | 'change';
  addUsers: string[];
  removeUsers: string[];
  addGroups: string[];
  removeGroups: string[];
}

/** Who an app (an Entra enterprise app, an Okta app) is assigned to: the whole list, read each pull. */
export interface SourceAppAssignments {
  appId: string;
  /** The name roster.yaml gives it (or the IdP's id). */
  appName: string;
  principals: { id: string; type: 'user' | 'group'; via?: string | undefined }[];
}

export interface SourceRead {
  mode: 'full' | 'incremental';
  /** Which lists are whole (a full read): people or groups of this source not in them are gone. */
  complete: { people: boolean; groups: boolean };
  /** Why an incremental read became a full one (an expired delta token). */
  fellBack?: string | undefined;
  people: SourcePersonRecord[];
  groups: SourceGroupRecord[];
  assignments: SourceAppAssignments[];
  /** The cursors to store for the next incremental read. */
  cursors: Record<string, string>;
  /** Requests sent (token requests and retries included). */
  requests: number;
  /** The fewest requests that could have read the same data (pages at the largest size the IdP allows, one token). */
  minimumRequests: number;
}

export interface ReadProgress {
  phase: 'users' | 'groups' | 'assignments';
  read: number;
}

/** One request on the wire, for the audit trail (no credentials, cursors shortened). */
export interface SourceExchange {
  method: string;
  path: string;
  status: number | undefined;
  ms: number;
  waitMs?: number | undefined;
  error?: string | undefined;
}

export interface ReadOptions {
  /** Cursors stored by the last read; empty: a full read. */
  cursors: Record<string, string>;
  full: boolean;
  onProgress?: ((progress: ReadProgress) => void) | undefined;
  onExchange?: ((exchange: SourceExchange) => void) | undefined;
}

export interface SourceReader {
  readonly kind: 'entra' | 'okta';
  read(options: ReadOptions): Promise<SourceRead>;
  close(): Promise<void>;
}

export interface ReaderDeps {
  clock?: Clock | undefined;
}

/** A request's path for the trail: long opaque tokens (skip, delta, after cursors) cut short. */
export function shortPath(path: string): string {
  return path.replace(/((?:\$?skiptoken|\$?deltatoken|after)=)([^&]{12})[^&]*/gi, '$1$2…');
}
