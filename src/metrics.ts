// roster's Prometheus metrics: one registry that engine code records into without knowing HTTP;
// the server (and `roster worker --metrics-port`) renders it at /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Queryable } from './store/database.ts';


export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'roster_' });

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const durationBuckets = [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800];

export const httpRequestSeconds = new Histogram({
  name: 'roster_http_request_duration_seconds',
  help: 'Inbound HTTP requests by route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: latencyBuckets,
  registers: [registry],
});

const vendorRequestSeconds = new Histogram({
  name: 'roster_vendor_request_duration_seconds',
  help: 'Requests to apps by app and outcome (ok, client_error, rate_limited, server_error, network_error)',
  labelNames: ['app', 'outcome'] as const,
  buckets: latencyBuckets,
  registers: [registry],
});

const vendorRateLimited = new Counter({
  name: 'roster_vendor_rate_limited_total',
  help: '429 answers from apps, by app',
  labelNames: ['app'] as const,
  registers: [registry],
});

const syncSeconds = new Histogram({
  name: 'roster_sync_duration_seconds',
  help: 'Syncs of an app (every account read), by app and outcome',
  labelNames: ['app', 'outcome'] as const,
  buckets: durationBuckets,
  registers: [registry],
});

const pullSeconds = new Histogram({
  name: 'roster_pull_duration_seconds',
  help: 'Pulls of a people source, by source, mode (full or incremental) and outcome',
  labelNames: ['source', 'mode', 'outcome'] as const,
  buckets: durationBuckets,
  registers: [registry],
});

/** The outcome label of one request to an app. */
export function vendorOutcome(status: number | undefined): string {
  if (status === undefined) return 'network_error';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'client_error';
  return 'ok';
}

/** One request to an app, as its connector observed it. */
export function recordVendorRequest(app: string, exchange: { status: number | undefined; ms: number }): void {
  vendorRequestSeconds.observe({ app, outcome: vendorOutcome(exchange.status) }, exchange.ms / 1000);
  if (exchange.status === 429) vendorRateLimited.inc({ app });
}

export function recordSync(app: string, ok: boolean, ms: number): void {
  syncSeconds.observe({ app, outcome: ok ? 'ok' : 'failed' }, ms / 1000);
}

export function recordPull(source: string, mode: 'full' | 'incremental', ok: boolean, ms: number): void {
  pullSeconds.observe({ source, mode, outcome: ok ? 'ok' : 'failed' }, ms / 1000);
}

/** A rate budget's use as a share of its limit (0..1), per budget key and window. */
export interface BudgetUse {
  budget: string;
  window: string;
  used: number;
}

let budgetReaders: (() => readonly BudgetUse[])[] = [];

/** The rate budgets report their use through this hook; read on every scrape. Answers a remover. */
export function reportRateBudgets(read: () => readonly BudgetUse[]): () => void {
  budgetReaders.push(read);
  return () => (budgetReaders = budgetReaders.filter((r) => r !== read));
}

new Gauge({
  name: 'roster_rate_budget_used_ratio',
  help: 'Share of each documented rate limit in use, by budget (credential) and window',
  labelNames: ['budget', 'window'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const read of budgetReaders) for (const use of read()) this.set({ budget: use.budget, window: use.window }, use.used);
  },
});

let stateSource: Queryable | undefined;

/** The database the state gauges (operations, queue depth) are read from on each scrape. */
export function readStateFrom(db: Queryable | undefined): void {
  stateSource = db;
}

const operationsGauge = new Gauge({ name: 'roster_operations', help: 'Operations by state and app (read from the database on scrape)', labelNames: ['state', 'app'] as const, registers: [registry] });
const queueDepthGauge = new Gauge({ name: 'roster_queue_depth', help: 'Operations queued and due now, by app (read from the database on scrape)', labelNames: ['app'] as const, registers: [registry] });

async function readState(): Promise<void> {
  operationsGauge.reset();
  queueDepthGauge.reset();
  if (!stateSource) return;
  const rows = await stateSource.query<{ app_name: string; state: string; n: number; due: number }>(
    `select app_name, state, count(*)::int as n,
            count(*) filter (where state = 'queued' and (not_before is null or not_before <= now()))::int as due
       from operations group by app_name, state`,
  );
  for (const row of rows) {
    operationsGauge.set({ state: row.state, app: row.app_name }, row.n);
    if (row.due > 0) queueDepthGauge.inc({ app: row.app_name }, row.due);
  }
}

/** The Prometheus text of every metric, the state gauges read fresh. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  // A database that does not answer leaves the state gauges out; the rest still tells a story.
  await readState().catch(() => undefined);
  return { contentType: registry.contentType, body: await registry.metrics() };
}
