import type { ResolvedApp } from '../../config/load.ts';
import { RosterError } from '../../errors.ts';
import { basicAuth, bearerAuth, headerAuth, type AuthStrategy } from './auth.ts';
import { clientCredentialsAuth } from './oauth2.ts';

/** The auth strategy a configured app's `auth` block asks for. */
export function authStrategyFor(app: ResolvedApp): AuthStrategy {
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
