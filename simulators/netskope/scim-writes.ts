import type { MiddlewareHandler } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import type { ScimStore } from '../scim/store.ts';
import type { AuditEventLog } from './events.ts';
import type { PolicyView } from './policy.ts';
import { NETSKOPE_SCIM_PATH, type NetskopeSimulatorSettings } from './settings.ts';

const resourcePath = new RegExp(`^${NETSKOPE_SCIM_PATH}/(Users|Groups)(?:/([^/]+))?$`);
const verbs: Record<string, string> = { POST: 'created', PUT: 'replaced', PATCH: 'updated', DELETE: 'deleted' };

/**
 * What a SCIM write does beyond the SCIM store: it shows in the admin audit log (user `scim-api`),
 * a deleted user takes its audit history with it, and membership changes reach policy late.
 */
export function scimWriteEffects(store: ScimStore, events: AuditEventLog, policy: PolicyView, settings: NetskopeSimulatorSettings): MiddlewareHandler<SimulatorEnv> {
  return async (c, next) => {
    const verb = verbs[c.req.method];
    const match = resourcePath.exec(c.req.path);
    if (!verb || !match) return next();
    const type = match[1] === 'Users' ? 'user' : 'group';
    const id = match[2];
    const nameOf = (resourceId: string | undefined): string | undefined => {
      if (!resourceId) return undefined;
      const r = type === 'user' ? store.getUser(resourceId) : store.getGroup(resourceId);
      const name = type === 'user' ? r?.attrs['userName'] : r?.attrs['displayName'];
      return typeof name === 'string' ? name : undefined;
    };
    const nameBefore = nameOf(id);
    if (type === 'group' || c.req.method === 'DELETE') policy.beforeWrite();

    await next();
    if (c.res.status < 200 || c.res.status >= 300) return;

    let name = nameOf(id) ?? nameBefore;
    if (!name && c.req.method === 'POST') {
      const body = (await c.res.clone().json().catch(() => ({}))) as Record<string, unknown>;
      const value = body[type === 'user' ? 'userName' : 'displayName'];
      if (typeof value === 'string') name = value;
    }
    if (type === 'user' && c.req.method === 'DELETE' && nameBefore) {
      events.removeWhere((e) => Array.isArray(e.supporting_data['data_values']) && (e.supporting_data['data_values'] as unknown[]).includes(nameBefore));
    }
    if (settings.auditScimWrites) {
      events.add({
        user: 'scim-api',
        type: 'admin_audit_logs',
        activity: verb === 'created' ? 'Create' : verb === 'deleted' ? 'Delete' : 'Edit',
        audit_log_event: `SCIM ${type} ${verb}`,
        supporting_data: { data_type: type, data_values: name ? [name] : [] },
      });
    }
  };
}
