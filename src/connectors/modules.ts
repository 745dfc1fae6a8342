// Every connector roster has, in one list. Adding a vendor is its folder (with an index.ts that
// exports its module) and one entry here; config, planner, CLI and engine read everything from it.
import type { z } from 'zod';
import type { ResolvedAppOf } from '../config/app-schema.ts';
import type { Capabilities } from '../core/capabilities.ts';
import type { Change, RequestPreview } from '../core/plan.ts';
import { RosterError } from '../errors.ts';
import type { Connector } from './connector.ts';
import { budgetFor, RateBudget } from './http/rate-budget.ts';
import type { ConnectorModule } from './module.ts';
import { netskopeModule } from './netskope/index.ts';
import { rsaModule } from './rsa/index.ts';
import { scimModule } from './scim/index.ts';
import { umbrellaModule } from './umbrella/index.ts';
import { zscalerModule } from './zscaler/index.ts';
import { ziaScimModule } from './zscaler-scim/index.ts';

export const connectorModules = [scimModule, zscalerModule, netskopeModule, umbrellaModule, rsaModule, ziaScimModule] as const;

export type AnyConnectorModule = (typeof connectorModules)[number];
/** The connector types config accepts: those with a module. */
export type ConnectorType = AnyConnectorModule['type'];
/** An app's config as parsed (the union of the modules' schemas, discriminated on `type`). */
export type AppConfig = z.output<AnyConnectorModule['schema']>;
/** A configured app with its secrets resolved and its name. */
export type ResolvedApp = ResolvedAppOf<AppConfig>;

export const connectorTypes: readonly ConnectorType[] = connectorModules.map((m) => m.type);

/** The module of a connector type; a clear error naming the known types for any other. */
export function moduleFor(type: string): ConnectorModule<ConnectorType, AnyConnectorModule['schema']> {
  const module = connectorModules.find((m) => m.type === type);
  if (!module) throw new RosterError('config_invalid', `no connector for type ${type}; known types: ${connectorTypes.join(', ')}`);
  return module as ConnectorModule<ConnectorType, AnyConnectorModule['schema']>;
}

/** What this configured app can hold and do (its module's capabilities, as its settings make them). */
export function capabilitiesOf(app: ResolvedApp): Capabilities {
  const module = moduleFor(app.type);
  return module.capabilitiesFor?.(app) ?? module.capabilities;
}

/**
 * The rate budget every connector of this app shares (one per credential; kept in the database,
 * and so shared by every process, once the CLI has opened it): the vendor's documented limits,
 * tightened by its rate-limit headers; none when pacing is off.
 */
export function budgetOf(app: ResolvedApp): RateBudget | undefined {
  const pacing = app.rateBudget;
  if (pacing === false) return undefined;
  const module = moduleFor(app.type);
  const { rules, headerScope } = module.rateFor?.(app) ?? module.rate;
  return budgetFor(module.budgetKey?.(app) ?? `${app.name}:${app.baseUrl}`, (shared) => new RateBudget({ rules, timeScale: pacing.timeScale, headerScope, shared }));
}

/** The requests a change will make in this configured app, as a plan shows them. */
export function previewOf(app: ResolvedApp): (change: Change) => RequestPreview[] {
  const module = moduleFor(app.type);
  return (change) => module.preview(change, app);
}

/** Builds the connector for a configured app, on its credential's shared budget. */
export function createConnector(app: ResolvedApp): Connector {
  return moduleFor(app.type).create(app, budgetOf(app));
}
