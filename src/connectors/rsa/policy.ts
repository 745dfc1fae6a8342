import type { AppPolicy } from '../../core/policy.ts';
import { NO_GROUPS } from './manifest.ts';

/** The parts of an app's policy RSA can refuse (a parsed AppPolicy, or the config's raw object). */
export type RsaPolicyInput = Partial<Pick<AppPolicy, 'groups' | 'roles' | 'defaultRole'>>;

/** One thing an RSA app's policy asks that RSA cannot do: where in the policy, and why. */
export interface RsaPolicyIssue {
  path: 'groups' | 'roles';
  message: string;
}

/** What an RSA app's policy asks that RSA cannot do (empty: nothing); the module's schema reports these at config load. */
export function rsaPolicyIssues(policy: RsaPolicyInput): RsaPolicyIssue[] {
  const issues: RsaPolicyIssue[] = [];
  const groups = Object.keys(policy.groups ?? {});
  if (groups.length > 0) {
    issues.push({ path: 'groups', message: `${NO_GROUPS}, so it cannot hold ${groups.map((g) => JSON.stringify(g)).join(', ')}; remove the group mapping (IdP groups can still choose who gets an account, under assign.groups)` });
  }
  if ((policy.roles ?? []).length > 0 || policy.defaultRole !== undefined) {
    issues.push({ path: 'roles', message: 'RSA ID Plus has no roles over SCIM; remove roles and defaultRole' });
  }
  return issues;
}

/**
 * What an RSA app's policy asks that RSA cannot do, one clear sentence each (empty: nothing).
 * `where` is the policy's place in the config, e.g. `apps.rsa.policy`.
 */
export function rsaPolicyProblems(policy: RsaPolicyInput, where = 'policy'): string[] {
  return rsaPolicyIssues(policy).map((issue) => `${where}.${issue.path}: ${issue.message}`);
}
