// /healthz (the process is alive), /readyz (it can do its work: database reachable, migrations
// applied, queue started; 503 with the reason while starting or shutting down) and /metrics
// (Prometheus text), for `roster serve` and `roster worker --metrics-port`.
import type { Hono } from 'hono';
import { routePath } from 'hono/route';
import { httpRequestSeconds, renderMetrics } from '../metrics.ts';
import type { Queryable } from '../store/database.ts';
import { pendingMigrations } from '../store/migrate.ts';

type Phase = 'starting' | 'ready' | 'stopping';

/** What /readyz answers: the phase the process is in and what it needs checked. */
export class Readiness {
  readonly #db: Queryable;
  #phase: Phase = 'starting';
  #queue: 'none' | 'waiting' | 'started';

  constructor(db: Queryable, options: { queue: boolean }) {
    this.#db = db;
    this.#queue = options.queue ? 'waiting' : 'none';
  }

  queueStarted(): void {
    if (this.#queue === 'waiting') this.#queue = 'started';
  }

  ready(): void {
    if (this.#phase === 'starting') this.#phase = 'ready';
  }

  stopping(): void {
    this.#phase = 'stopping';
  }

  /** Why the process is not ready now, or undefined when it is. */
  async notReadyBecause(): Promise<string | undefined> {
    if (this.#phase === 'stopping') return 'shutting down';
    if (this.#phase === 'starting') return 'starting';
    if (this.#queue === 'waiting') return 'queue not started';
    try {
      const pending = await pendingMigrations(this.#db);
      if (pending.length > 0) return `migrations not applied: ${pending.join(', ')}`;
    } catch (error) {
      return `database unreachable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
    return undefined;
  }
}

function readyNow(db: Queryable): Readiness {
  const readiness = new Readiness(db, { queue: false });
  readiness.ready();
  return readiness;
}

/** Times every request by its route template (not its path: ids would make unbounded labels). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function timeRequests(app: Hono<any>): void {
  app.use('*', async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = routePath(c);
      httpRequestSeconds.observe({ method: c.req.method, route: route === '/*' ? 'unmatched' : route, status: String(c.res.status) }, (performance.now() - started) / 1000);
    }
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function healthRoutes(app: Hono<any>, db: Queryable, readiness: Readiness = readyNow(db)): void {
  // Alive: the process answers. The database is /readyz's business (a restart would not fix it).
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const reason = await readiness.notReadyBecause();
    if (reason) return c.json({ status: 'unavailable', reason }, 503, { 'retry-after': '5' });
    return c.json({ status: 'ready' });
  });
  app.get('/metrics', async (c) => {
    const { contentType, body } = await renderMetrics();
    return c.body(body, 200, { 'content-type': contentType });
  });
}
