import type { AuthConfig, Resolved } from '../../config/app-schema.ts';
import { RosterError } from '../../errors.ts';
import { basicAuth, bearerAuth, headerAuth, type AuthStrategy } from './auth.ts';
import { clientCredentialsAuth } from './oauth2.ts';

/** The generic auth strategy a configured app's `auth` block asks for (vendor-specific kinds are the module's). */
export function authStrategyFor(app: { name: string; type: string; timeoutMs: number; auth: Resolved<AuthConfig> }): AuthStrategy {
  const auth = app.auth;
  switch (auth.type) {
    case 'bearer':
      return bearerAuth(auth.token);
    case 'basic':
      return basicAuth(auth.username, auth.password);
    case 'header':
      return headerAuth(auth.header, auth.token);
    case 'oauth2-client-credentials':
      return clientCredentialsAuth({ appName: app.name, tokenUrl: auth.tokenUrl, clientId: auth.clientId, clientSecret: auth.clientSecret, timeoutMs: app.timeoutMs });
    default:
      throw new RosterError('config_invalid', `apps.${app.name}.auth.type: ${auth.type} does not fit a ${app.type} app`);
  }
}
