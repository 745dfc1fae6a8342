import type { HttpExchange } from './http/client.ts';

/** One of an app's own audit events: its id and time (epoch seconds) as the app gives them, and the rest kept. */
export interface AppEvent {
  _id: string;
  timestamp: number;
  /** Whom the event is about, when the app says. */
  user?: string | undefined;
  [field: string]: unknown;
}

/**
 * An app's own audit trail, read by time window (the engine reads it into roster's trail after a
 * sync; see engine/app-events.ts). The names say how the events appear in roster's trail.
 */
export interface AppEventSource {
  readonly appName: string;
  /** The trail's action for one event, e.g. `netskope.audit_event`. */
  readonly action: string;
  /** The trail's action summarising one read. */
  readonly readAction: string;
  /** Who the trail says did each event, e.g. `app:netskope`. */
  readonly actor: string;
  /**
   * Every event the app stored in [since, until] (epoch seconds, by the time the app stored it, so
   * events filed late are never skipped), page by page.
   */
  read(since: number, until: number): AsyncIterable<AppEvent[]>;
  observe(observer: (exchange: HttpExchange) => void): () => void;
  close(): Promise<void>;
}
