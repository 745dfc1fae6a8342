import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { GRANT_LINGER_MS, priorities, WAITER_TTL_MS, type LedgerAnswer, type LedgerClaim, type RateRule, type SharedRateLedger } from '../connectors/http/rate-budget.ts';
import type { Database } from './database.ts';

export interface DatabaseRateLedgerOptions {
  /** This process, as the waiters' registry names it. Default host:pid:random. */
  holder?: string;
  /** How long a request in flight counts before its process is taken for dead. Default 2 minutes. */
  leaseMs?: number;
  /** How long a waiter's place is kept without renewal. */
  waiterTtlMs?: number;
  /** How long a leaver's (or joiner's) place is kept after its grant. */
  lingerMs?: number;
  /**
   * Added to every window: the ledger's clock (the database's) and the app's (its own) read the
   * same instant a millisecond or two apart.
   */
  marginMs?: number;
}

/**
 * The rate budgets every process shares, in roster's database (migration 011): each claim is one
 * statement (`rate_claim`), atomic under a per-key advisory lock. The lowest priority (reads)
 * registers no waiters: it waits behind everyone and blocks no one.
 */
export class DatabaseRateLedger implements SharedRateLedger {
  readonly #db: Database;
  readonly holder: string;
  readonly #leaseMs: number;
  readonly #waiterTtlMs: number;
  readonly #lingerMs: number;
  readonly #marginMs: number;
  /** Per key, the longest window among its rules: grants older than that are deleted. */
  readonly #keepMs = new Map<string, number>();

  constructor(db: Database, options: DatabaseRateLedgerOptions = {}) {
    this.#db = db;
    this.holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.#leaseMs = options.leaseMs ?? 120_000;
    this.#waiterTtlMs = options.waiterTtlMs ?? WAITER_TTL_MS;
    this.#lingerMs = options.lingerMs ?? GRANT_LINGER_MS;
    this.#marginMs = options.marginMs ?? 3;
  }

  async declare(key: string, rules: readonly RateRule[]): Promise<void> {
    this.#keepMs.set(key, Math.max(0, ...rules.map((r) => r.windowMs)) + this.#marginMs);
    await this.#db.query('insert into rate_budget_keys (key, rules) values ($1, $2) on conflict (key) do update set rules = excluded.rules, declared_at = now()', [key, JSON.stringify(rules)]);
  }

  async claim(claim: LedgerClaim): Promise<LedgerAnswer> {
    const registers = claim.priority < priorities.read;
    const [row] = await this.#db.query<{ grant_id: number | null; wait_ms: number | null; why: string | null }>(
      'select grant_id, wait_ms, why from rate_claim($1, $2, $3, $4::int[], $5::float8[], $6::int[], $7::text[], $8, $9, $10, $11, $12)',
      [
        claim.key,
        this.holder,
        claim.priority,
        claim.rules.map((r) => r.index),
        claim.rules.map((r) => r.windowMs + this.#marginMs),
        claim.rules.map((r) => r.limit),
        claim.scopes,
        this.#leaseMs,
        registers ? this.#waiterTtlMs : 0,
        registers ? this.#lingerMs : 0,
        claim.moreWaiting,
        (this.#keepMs.get(claim.key) ?? Math.max(0, ...claim.rules.map((r) => r.windowMs))) + this.#marginMs,
      ],
    );
    if (row?.grant_id !== null && row?.grant_id !== undefined) return { granted: true, grant: Number(row.grant_id) };
    const why = row?.why === 'blocked' || row?.why === 'priority' ? row.why : 'limit';
    return { granted: false, waitMs: Math.ceil(Number(row?.wait_ms ?? 0)), why };
  }

  async release(grant: number): Promise<void> {
    await this.#db.query('update rate_grants set done_at = clock_timestamp() where id = $1 and done_at is null', [grant]);
  }

  async block(key: string, scope: string, ms: number, reason: string): Promise<void> {
    await this.#db.query(
      `insert into rate_blocks (key, scope, until, reason) values ($1, $2, clock_timestamp() + make_interval(secs => $3::float8 / 1000), $4)
       on conflict (key, scope) do update set until = greatest(rate_blocks.until, excluded.until), reason = case when excluded.until > rate_blocks.until then excluded.reason else rate_blocks.reason end`,
      [key, scope, ms, reason],
    );
  }

  async blockedFor(key: string, scopes: readonly string[]): Promise<number> {
    const [row] = await this.#db.query<{ ms: number | null }>('select extract(epoch from max(until) - clock_timestamp()) * 1000 as ms from rate_blocks where key = $1 and scope = any($2::text[]) and until > clock_timestamp()', [key, scopes]);
    return Math.max(0, Math.ceil(Number(row?.ms ?? 0)));
  }
}

export interface RuleUse {
  methods?: readonly string[];
  paths?: readonly string[];
  limit: number;
  windowMs: number;
  /** Grants counted in the window now (in flight included). */
  used: number;
}

export interface BudgetUse {
  key: string;
  rules: RuleUse[];
  inFlight: number;
  /** Processes waiting, by priority name (reads are not registered: they wait behind everyone). */
  waiting: { leaver: number; joinerMover: number };
  /** When a 429 or a header's reset stops requests (per scope: '' every request, else a method). */
  blocked: { scope: string; until: Date; reason: string }[];
}

/** What each shared budget has used of each rule now, who waits and what blocks it: for status pages, metrics and tests. */
export async function rateBudgetUse(db: Database): Promise<BudgetUse[]> {
  const keys = await db.query<{ key: string; rules: RateRule[] }>('select key, rules from rate_budget_keys order by key');
  const uses: BudgetUse[] = [];
  for (const { key, rules } of keys) {
    const counted = await db.query<{ rule: number; used: number }>(
      `select r.rule - 1 as rule, count(g.id)::int as used
         from unnest($2::float8[]) with ordinality as r(window_ms, rule)
         left join rate_grants g on g.key = $1 and (r.rule - 1) = any(g.rules) and coalesce(g.done_at, g.lease_until) > clock_timestamp() - make_interval(secs => r.window_ms / 1000)
        group by r.rule order by r.rule`,
      [key, rules.map((r) => r.windowMs)],
    );
    const [flight] = await db.query<{ n: number }>('select count(*)::int as n from rate_grants where key = $1 and done_at is null and lease_until > clock_timestamp()', [key]);
    const waiters = await db.query<{ priority: number; n: number }>('select priority, count(*)::int as n from rate_waiters where key = $1 and expires_at > clock_timestamp() group by priority', [key]);
    const blocks = await db.query<{ scope: string; until: Date; reason: string }>('select scope, until, reason from rate_blocks where key = $1 and until > clock_timestamp() order by scope', [key]);
    uses.push({
      key,
      rules: rules.map((rule, index) => ({ ...rule, used: counted.find((c) => c.rule === index)?.used ?? 0 })),
      inFlight: flight?.n ?? 0,
      waiting: { leaver: waiters.find((w) => w.priority === priorities.leaver)?.n ?? 0, joinerMover: waiters.find((w) => w.priority === priorities.joinerMover)?.n ?? 0 },
      blocked: blocks,
    });
  }
  return uses;
}
