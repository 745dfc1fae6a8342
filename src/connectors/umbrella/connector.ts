import { RosterError } from '../../errors.ts';
import { UmbrellaScimConnector, type UmbrellaScimOptions } from './connector-scim.ts';
import { UmbrellaV1Connector, type UmbrellaV1Options } from './connector-v1.ts';
import { UmbrellaV2Connector, type UmbrellaV2Options } from './connector-v2.ts';
import { umbrellaApis } from './manifest.ts';

export type UmbrellaConnectorOptions = ({ api: 'v1' } & UmbrellaV1Options) | ({ api: 'v2' } & UmbrellaV2Options) | ({ api: 'scim' } & UmbrellaScimOptions);
export type UmbrellaConnector = UmbrellaV1Connector | UmbrellaV2Connector | UmbrellaScimConnector;

/** The Umbrella connector for the API the app's config names. */
export function createUmbrellaConnector(options: UmbrellaConnectorOptions): UmbrellaConnector {
  switch (options.api) {
    case 'v1':
      return new UmbrellaV1Connector(options);
    case 'v2':
      return new UmbrellaV2Connector(options);
    case 'scim':
      return new UmbrellaScimConnector(options);
    default:
      throw new RosterError('config_invalid', `${(options as { appName?: string }).appName ?? 'umbrella'}: api must be one of ${umbrellaApis.join(', ')}, got ${JSON.stringify((options as { api?: unknown }).api)}`);
  }
}
