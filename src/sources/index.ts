// The IdP readers, built from a configured pull source.
import { RosterError } from '../errors.ts';
import type { ResolvedPullSource } from './config.ts';
import { EntraReader } from './entra/reader.ts';
import { OktaReader } from './okta/reader.ts';
import type { ReaderDeps, SourceReader } from './types.ts';

export function createReader(source: ResolvedPullSource, deps: ReaderDeps = {}): SourceReader {
  switch (source.type) {
    case 'entra':
      return new EntraReader({ name: source.name, tenantId: source.tenantId, clientId: source.clientId, clientSecret: source.clientSecret, authority: source.authority, graphUrl: source.graphUrl, pageSize: source.pageSize, apps: source.apps, timeoutMs: source.timeoutMs, maxWaitMs: source.maxWaitMs }, deps);
    case 'okta':
      return new OktaReader({ name: source.name, baseUrl: source.baseUrl, auth: source.auth, apps: source.apps, timeoutMs: source.timeoutMs, maxWaitMs: source.maxWaitMs }, deps);
    default:
      throw new RosterError('config_invalid', `sources.${(source as { name: string }).name}: roster cannot pull from this kind of source`);
  }
}
