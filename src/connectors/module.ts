import type { z } from 'zod';
import type { ResolvedAppOf } from '../config/app-schema.ts';
import type { Capabilities } from '../core/capabilities.ts';
import type { Change, RequestPreview } from '../core/plan.ts';
import type { Connector } from './connector.ts';
import type { AppEventSource } from './events.ts';
import type { RateBudget, RateRule } from './http/rate-budget.ts';

/**
 * Everything roster knows about one vendor, in one object (better-auth's plugins, Nango's provider
 * definitions: facts as data, behaviour as code). Each vendor folder's `index.ts` exports one; the
 * list in `modules.ts` is the only place that names them all. Config, planner, CLI and engine read
 * a vendor's facts from here and nowhere else.
 */
export interface ConnectorModule<Type extends string = string, Schema extends z.ZodType<{ type: Type }> = z.ZodType<{ type: Type }>> {
  /** The `type` an app names in roster.yaml. */
  readonly type: Type;
  /** The vendor, for people. */
  readonly title: string;
  /** The vendor's facts as data: auth kind, base URL form, paging, documented limits, quirks. */
  readonly manifest: object;
  /** What an app of this type can hold and do. */
  readonly capabilities: Capabilities;
  /**
   * Where an app's settings change what it can do (an opt-in to soft delete, say): its
   * capabilities with these settings. Absent: `capabilities`, whatever the settings.
   */
  capabilitiesFor?(app: ResolvedAppOf<z.output<Schema>>): Capabilities;
  /** Its app's config: `type`, the common settings, the auth kinds it takes and its own settings. */
  readonly schema: Schema;
  /**
   * Its documented rate limits, as rules for the credential's shared budget. `headerScope`: what
   * an answer's rate-limit headers speak of (the credential, or the request's method, as in ZIA).
   */
  readonly rate: { readonly rules: readonly RateRule[]; readonly headerScope?: 'credential' | 'method' };
  /**
   * Where an app's settings change its limits (Umbrella: only API v2 documents any; RSA: a limit
   * the tenant configures): the rules for this app. Absent: `rate`.
   */
  rateFor?(app: ResolvedAppOf<z.output<Schema>>): { readonly rules: readonly RateRule[]; readonly headerScope?: 'credential' | 'method' };
  /**
   * What the vendor counts its limits against, where that is not the app (Umbrella API v2: the
   * API key, so two apps on one key share one budget). Absent: the app's name and base URL.
   */
  budgetKey?(app: ResolvedAppOf<z.output<Schema>>): string;
  /** A connector for a configured app; `budget` is the credential's (undefined: no pacing). */
  create(app: ResolvedAppOf<z.output<Schema>>, budget: RateBudget | undefined): Connector;
  /**
   * The requests a change will make, as a plan shows them (pure; secrets never included). `app`:
   * the configured app, where its settings change the requests (Umbrella's API, its organization).
   */
  preview(change: Change, app?: ResolvedAppOf<z.output<Schema>>): RequestPreview[];
  /**
   * The app's own audit events, where it has them and the app's config asks for them (Netskope's
   * `events`); undefined when this app reads none.
   */
  events?(app: ResolvedAppOf<z.output<Schema>>): AppEventSource | undefined;
}

/** Declares a module with its types inferred from its schema (an identity function). */
export function defineModule<const Type extends string, Schema extends z.ZodType<{ type: Type }>>(module: ConnectorModule<Type, Schema>): ConnectorModule<Type, Schema> {
  return module;
}
