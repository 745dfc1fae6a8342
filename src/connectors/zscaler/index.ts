import { z } from 'zod';
import { appSchema } from '../../config/app-schema.ts';
import type { Change, RequestPreview } from '../../core/plan.ts';
import { authStrategyFor } from '../http/auth-from-config.ts';
import { rulesPerMethod } from '../http/rate-budget.ts';
import { defineModule } from '../module.ts';
import { ZscalerConnector } from './connector.ts';
import { zscalerManifest } from './manifest.ts';
import { ZiaSessionAuth } from './session-auth.ts';

const id = (change: Change) => change.remoteId ?? '{new id}';

/** The requests a change makes in ZIA: read-modify-write (PUT is a full replace), then activation. */
function ziaPreview(change: Change): RequestPreview[] {
  const activate = [{ method: 'POST', path: '/status/activate' }, { method: 'GET', path: '/status' }];
  const readWrite = [{ method: 'GET', path: `/users/${id(change)}` }, { method: 'PUT', path: `/users/${id(change)}`, body: { ...change.attributes, ...(change.kind === 'deactivate' ? { disabled: true } : change.kind === 'activate' ? { disabled: false } : {}), '…': 'every other field as read' } }];
  switch (change.kind) {
    case 'create':
      return [{ method: 'GET', path: '/departments' }, { method: 'GET', path: '/groups' }, { method: 'POST', path: '/users', body: { name: change.attributes?.displayName, email: change.attributes?.email, department: change.attributes?.department, groups: change.attributes?.groups ?? ['(the app’s defaults.groups)'], password: '[generated, never shown]' } }, ...activate];
    case 'delete':
      return [{ method: 'GET', path: `/users/${id(change)}` }, { method: 'POST', path: '/users/bulkDelete', body: { ids: [id(change)] } }, { method: 'GET', path: `/users/${id(change)}` }, ...activate];
    case 'add-member':
    case 'remove-member':
      return [{ method: 'GET', path: '/groups' }, ...readWrite, ...activate];
    default:
      return [...readWrite, ...activate];
  }
}

/** Zscaler Internet Access: the legacy API (JSESSIONID session) or OneAPI (a bearer token). */
export const zscalerModule = defineModule({
  type: 'zscaler',
  title: 'Zscaler Internet Access',
  manifest: zscalerManifest,
  capabilities: zscalerManifest.capabilities,
  schema: appSchema('zscaler', ['zscaler-session', 'bearer', 'oauth2-client-credentials'], {
    /** Values for fields ZIA requires on create when the person has none: a department and groups. */
    defaults: z.object({ department: z.string().min(1).optional(), groups: z.array(z.string().min(1)).optional() }).strict().optional(),
    /**
     * ZIA documents no soft delete, so leavers are deleted (snapshot first). true: switch leavers
     * off with `PUT disabled:true` instead, proven by the answer.
     */
    disableLeavers: z.boolean().optional(),
  }),
  capabilitiesFor: (app) => ({ ...zscalerManifest.capabilities, deactivate: app.disableLeavers === true }),
  // Documented per session and per method; the rate-limit headers speak of the request's method.
  rate: { rules: rulesPerMethod(zscalerManifest.rateLimits), headerScope: 'method' },
  create(app, budget) {
    // Legacy API: a JSESSIONID session; OneAPI (https://api.zsapi.net/zia/api/v1): a bearer token.
    const auth =
      app.auth.type === 'zscaler-session'
        ? new ZiaSessionAuth({ appName: app.name, baseUrl: app.baseUrl, username: app.auth.username, password: app.auth.password, apiKey: app.auth.apiKey, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs })
        : authStrategyFor({ ...app, auth: app.auth });
    return new ZscalerConnector({ appName: app.name, baseUrl: app.baseUrl, pageSize: app.pageSize, timeoutMs: app.timeoutMs, maxWaitMs: app.maxWaitMs, auth, defaultDepartment: app.defaults?.department, defaultGroups: app.defaults?.groups, disableLeavers: app.disableLeavers === true, budget });
  },
  preview: ziaPreview,
});
