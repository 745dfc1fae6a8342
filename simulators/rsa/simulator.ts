import { randomBytes } from 'node:crypto';
import { late } from '../shared/late.ts';
import { startServer } from '../shared/server.ts';
import { createScimSimulator, type ScimSimulator, type ScimSimulatorOptions } from '../scim/index.ts';
import { ScimError } from '../scim/protocol.ts';
import { rsaAuth, rsaPatchOps, rsaSearch, rsaThrottle } from './gate.ts';
import { makeSecret, resolveRsaSettings, type RsaSimulatorSettings } from './settings.ts';
import { consoleAttributes, IdentitySources, rsaUserRoutes, type IdentitySource } from './users.ts';

export interface RsaSimulatorOptions extends Partial<RsaSimulatorSettings> {
  /** Port on 127.0.0.1. Default 0: any free port. */
  port?: number;
  /**
   * The identity source's id in the Base URI (`/scim/v2/<id>`): the console shows a tenant-specific
   * Base URI to copy, and clients must take it as given. Default: random hex.
   */
  identitySourceId?: string;
  /** Settings for the SCIM simulator underneath (`maxPageSize` 100, `etags`, ...). Groups are always off. */
  scim?: ScimSimulatorOptions;
}

export interface RsaSimulator {
  /** The SCIM simulator underneath: store, SCIM settings, the request log, faults. */
  scim: ScimSimulator;
  /** Live RSA settings (client secret, Entra flag, attribute policy, rate limit). */
  settings: RsaSimulatorSettings;
  /** The Base URI's path, e.g. /scim/v2/6f1c… */
  basePath: string;
  /** Which identity source each user belongs to (a Local one's users cannot be deleted over SCIM). */
  identitySources: IdentitySources;
  /** Seeds users (SCIM bodies; only the console's attributes kept, as on a write) into an identity source; answers their ids. */
  seedUsers(users: Record<string, unknown>[], source?: IdentitySource): string[];
  /** The console's Generate: a new secret, refused until published. Answers it. */
  generateSecret(): string;
  /** The console's Save Settings and Publish Changes: the generated secret replaces the old one. */
  publishChanges(): void;
}

export interface RunningRsaSimulator extends RsaSimulator {
  /** e.g. http://127.0.0.1:41234 — stands for https://<tenant>.auth.securid.com */
  origin: string;
  port: number;
  /** The Base URI to copy: `<origin>/scim/v2/<identity source id>` */
  baseUrl: string;
  close(): Promise<void>;
}

/** RSA ID Plus's Unified Directory SCIM API, built on the strict SCIM simulator. */
export function createRsaSimulator(options: Omit<RsaSimulatorOptions, 'port'> = {}): RsaSimulator {
  const { scim: scimOptions, identitySourceId, ...own } = options;
  const settings = resolveRsaSettings(own);
  const basePath = `/scim/v2/${identitySourceId ?? randomBytes(8).toString('hex')}`;
  const identitySources = new IdentitySources();
  const scim: ScimSimulator = createScimSimulator(
    { maxPageSize: 100, ...scimOptions, groups: false, patchStatus: 200, rateLimit: undefined, supportedFilterOperators: ['eq'] },
    {
      basePath,
      // The RSA gate has checked the client secret already.
      auth: (_c, next) => next(),
      extend(app) {
        app.use(`${basePath}/*`, rsaThrottle(settings));
        app.use(`${basePath}/*`, rsaAuth(settings));
        app.use(`${basePath}/Users`, rsaSearch());
        app.use(`${basePath}/Users/*`, rsaPatchOps(settings));
        app.post(`${basePath}/Users/.search`, () => {
          throw new ScimError(404, 'Resource not found');
        });
        // The SCIM store and settings are made inside createScimSimulator, after this hook: reach them late.
        const deps = { store: late(() => scim.store), settings: late(() => scim.settings), basePath };
        app.route(`${basePath}/Users`, rsaUserRoutes(deps, settings, identitySources));
      },
    },
  );
  return {
    scim,
    settings,
    basePath,
    identitySources,
    seedUsers(users, source = 'SCIM Managed') {
      const seeded = scim.store.seedUsers(users);
      for (const user of seeded) {
        if (settings.attributes === 'console') user.attrs = consoleAttributes(user.attrs);
        identitySources.set(user.id, source);
      }
      return seeded.map((u) => u.id);
    },
    generateSecret() {
      settings.unpublishedSecret = makeSecret();
      return settings.unpublishedSecret;
    },
    publishChanges() {
      if (settings.unpublishedSecret === undefined) return;
      settings.clientSecret = settings.unpublishedSecret;
      settings.unpublishedSecret = undefined;
    },
  };
}

export async function startRsaSimulator(options: RsaSimulatorOptions = {}): Promise<RunningRsaSimulator> {
  const { port, ...rest } = options;
  const simulator = createRsaSimulator(rest);
  const server = await startServer(simulator.scim.app, port ?? 0);
  return { ...simulator, origin: server.origin, port: server.port, baseUrl: `${server.origin}${simulator.basePath}`, close: server.close };
}
