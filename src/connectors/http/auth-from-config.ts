import type { ResolvedApp } from '../../config/load.ts';
import { RosterError } from '../../errors.ts';
import { basicAuth, bearerAuth, headerAuth, type AuthStrategy } from './auth.ts';

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
    default:
      throw new RosterError('config_invalid', `apps.${app.name}.auth.type: ${auth.type} does not fit a ${app.type} app`);
  }
}
