import type { MiddlewareHandler } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';

export interface RequestRecord {
  method: string;
  /** Path without the query, e.g. /scim/v2/Users */
  path: string;
  /** Query parameters (the last value where one repeats). */
  query: Record<string, string>;
  /** Status answered; 0 when the connection was dropped without an answer. */
  status: number;
  /** The parsed JSON body of a POST, PUT or PATCH (the raw text when it did not parse). */
  body?: unknown;
  /** When the request arrived (epoch ms). */
  at: number;
}

export interface RequestMatch {
  method?: string;
  pathIncludes?: string;
  status?: number;
}

/** Every request the simulator saw, in arrival order, for counting in tests and benchmarks. */
export class RequestLog {
  readonly entries: RequestRecord[] = [];

  get length(): number {
    return this.entries.length;
  }

  /** How many requests match (method case-insensitive, path substring, exact status). */
  count(match: RequestMatch = {}): number {
    return this.filter(match).length;
  }

  filter(match: RequestMatch = {}): RequestRecord[] {
    const method = match.method?.toUpperCase();
    return this.entries.filter(
      (r) =>
        (method === undefined || r.method === method) &&
        (match.pathIncludes === undefined || r.path.includes(match.pathIncludes)) &&
        (match.status === undefined || r.status === match.status),
    );
  }

  last(): RequestRecord | undefined {
    return this.entries.at(-1);
  }

  clear(): void {
    this.entries.length = 0;
  }

  middleware(): MiddlewareHandler<SimulatorEnv> {
    return async (c, next) => {
      const at = Date.now();
      try {
        await next();
      } finally {
        const record: RequestRecord = { method: c.req.method, path: c.req.path, query: { ...c.req.query() }, status: c.res.status, at };
        if ((c.env as SimulatorEnv['Bindings'] | undefined)?.incoming?.socket?.destroyed) record.status = 0;
        if (['POST', 'PUT', 'PATCH'].includes(c.req.method)) {
          try {
            const text = await c.req.text();
            try {
              record.body = JSON.parse(text) as unknown;
            } catch {
              record.body = text;
            }
          } catch {
            // the body could not be read (connection gone)
          }
        }
        this.entries.push(record);
      }
    };
  }
}
