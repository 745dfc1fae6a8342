/**
 * Cisco Umbrella: three APIs, one app type. Plain factories and data for the vendor module to wrap:
 * `createUmbrellaConnector({ api, ... })`, the manifest, rate rules, what each API can hold and do
 * (`umbrellaSupport`), and `previewUmbrella(api, change)`.
 */
export { createUmbrellaConnector, type UmbrellaConnector, type UmbrellaConnectorOptions } from './connector.ts';
export { UmbrellaV1Connector, umbrellaV1BaseUrl, type UmbrellaV1Options } from './connector-v1.ts';
export { UmbrellaV2Connector, umbrellaV2Auth, umbrellaV2Origin, type UmbrellaV2Options } from './connector-v2.ts';
export { UmbrellaScimConnector, accountFromUmbrellaScimUser, umbrellaScimBaseUrl, umbrellaScimUserFromInput, type UmbrellaScimOptions } from './connector-scim.ts';
export { umbrellaApis, umbrellaManifest, umbrellaRateRules, umbrellaSupport, umbrellaV2RateRules, type UmbrellaApi, type UmbrellaSupport } from './manifest.ts';
export { accountFromUmbrellaUser, isPendingInvitation } from './mapping.ts';
export { previewUmbrella, type UmbrellaPreviewOptions } from './preview.ts';
export { WRONG_V1_KEY } from './client-v1.ts';
export { scopeNeeded } from './client-v2.ts';
