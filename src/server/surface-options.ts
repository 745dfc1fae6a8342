import type { PgBoss } from 'pg-boss';
import type { AuthEnv } from '../auth/middleware.ts';
import type { ResolvedApp } from '../config/load.ts';
import type { Connector } from '../connectors/connector.ts';
import type { Database } from '../store/database.ts';
import type { AssignRules } from './read/matrix.ts';

/** What the API and the dashboard work with. */
export interface SurfaceOptions {
  db: Database;
  /** The configured apps (secrets resolved): planning, applying and each app's policy and limits. */
  apps: readonly ResolvedApp[];
  connectorFor?: ((app: ResolvedApp) => Connector) | undefined;
  /** The queue `roster serve` works; an apply queues onto it. Absent: apply starts a queue of its own for the call. */
  queue?: PgBoss | undefined;
}

/** Who is asking and their browser session, set by the sign-in middleware (src/auth/middleware.ts). */
export type SurfaceEnv = AuthEnv;

export function assignRules(apps: readonly ResolvedApp[]): AssignRules {
  return Object.fromEntries(apps.map((a) => [a.name, a.policy.assign]));
}
