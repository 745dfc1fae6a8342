import type { HttpExchange } from '../connectors/http/client.ts';
import type { AuditInput } from './trail.ts';

/** One request roster made to an app, as an audit event (reads during a sync, writes during an apply). */
export function exchangeEvent(actor: string, appName: string, action: 'app.read' | 'app.request', exchange: HttpExchange, detail: Record<string, unknown> = {}): AuditInput {
  return {
    actor,
    action,
    appName,
    target: `${exchange.method} ${exchange.path}`,
    outcome: exchange.status !== undefined && exchange.status < 400 ? 'ok' : exchange.waitMs !== undefined ? 'retried' : 'failed',
    detail: {
      ...detail,
      status: exchange.status ?? null,
      attempt: exchange.attempt,
      ms: Math.round(exchange.ms),
      ...(exchange.waitMs !== undefined ? { waitMs: exchange.waitMs } : {}),
      ...(exchange.error ? { error: exchange.error } : {}),
    },
  };
}
