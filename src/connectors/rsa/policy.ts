import type { AppPolicy } from '../../core/policy.ts';
import { NO_GROUPS } from './manifest.ts';

/** The parts of an app's policy RSA can refuse (a parsed AppPolicy, or the config's raw object). */
export type RsaPolicyInput = Partial<Pick<AppPolicy, 'groups' | 'roles' | 'defaultRole'>>;

/**
 * What an RSA app's policy asks that RSA cannot do, one clear sentence each (empty: nothing).
 * The config layer reports these at load, with the rest of the config's problems.
 * `where` is the policy's place in the config, e.g. `apps.rsa.policy`.
 */
export function rsaPolicyProblems(policy: RsaPolicyInput, where = 'policy'): string[] {
  const problems: string[] = [];
  const groups = Object.keys(policy.groups ?? {});
  if (groups.length > 0) {
    problems.push(`${where}.groups: ${NO_GROUPS}, so it cannot hold ${groups.map((g) => JSON.stringify(g)).join(', ')}; remove the group mapping (IdP groups can still choose who gets an account, under assign.groups)`);
  }
  if ((policy.roles ?? []).length > 0 || policy.defaultRole !== undefined) {
    problems.push(`${where}.roles: RSA ID Plus has no roles over SCIM; remove roles and defaultRole`);
  }
  return problems;
}
