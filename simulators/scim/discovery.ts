import { Hono, type Context } from 'hono';
import type { SimulatorEnv } from '../shared/server.ts';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, type SchemaDef } from './attributes.ts';
import { scimJson } from './http.ts';
import { listResponse, ScimError, SCIM } from './protocol.ts';
import type { ScimSimulatorSettings } from './settings.ts';

function baseUrlOf(c: Context, basePath: string): string {
  return `${new URL(c.req.url).origin}${basePath}`;
}

/** RFC 7644 §4: discovery endpoints take no filter (403). */
function refuseFilter(c: Context): void {
  if (c.req.query('filter') !== undefined) throw new ScimError(403, 'Filtering is not supported on discovery endpoints');
}

export function serviceProviderConfig(settings: ScimSimulatorSettings, base: string): Record<string, unknown> {
  const authenticationSchemes: Record<string, unknown>[] = [
    {
      type: 'oauthbearertoken',
      name: 'OAuth Bearer Token',
      description: 'Authentication with a bearer token in the Authorization header',
      specUri: 'https://www.rfc-editor.org/info/rfc6750',
      primary: true,
    },
  ];
  if (settings.basic) {
    authenticationSchemes.push({
      type: 'httpbasic',
      name: 'HTTP Basic',
      description: 'Authentication with a username and password',
      specUri: 'https://www.rfc-editor.org/info/rfc7617',
    });
  }
  return {
    schemas: [SCIM.serviceProviderConfig],
    documentationUri: 'https://www.rfc-editor.org/info/rfc7644',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: settings.filtering === 'supported' || settings.filtering === 'ignored-unsaid', maxResults: settings.maxPageSize },
    changePassword: { supported: true },
    sort: { supported: false },
    etag: { supported: settings.etags },
    authenticationSchemes,
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(settings: ScimSimulatorSettings, base: string): Record<string, unknown>[] {
  const types: Record<string, unknown>[] = [
    {
      schemas: [SCIM.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: SCIM.user,
      schemaExtensions: [{ schema: SCIM.enterpriseUser, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
  ];
  if (settings.groups) {
    types.push({
      schemas: [SCIM.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: SCIM.group,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    });
  }
  return types;
}

export function schemas(settings: ScimSimulatorSettings, base: string): Record<string, unknown>[] {
  const defs: SchemaDef[] = settings.groups ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA] : [USER_SCHEMA, ENTERPRISE_USER_SCHEMA];
  return defs.map((def) => ({
    schemas: [SCIM.schema],
    ...def,
    attributes: settings.groups && settings.userGroups ? def.attributes : def.attributes.filter((a) => a.name !== 'groups'),
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${def.id}` },
  }));
}

/** /ServiceProviderConfig, /ResourceTypes, /Schemas: no authentication needed (as ZIA SCIM does). */
export function discoveryRoutes(settings: ScimSimulatorSettings, basePath = '/scim/v2'): Hono<SimulatorEnv> {
  const app = new Hono<SimulatorEnv>();
  const baseUrl = (c: Context) => baseUrlOf(c, basePath);
  app.get('/ServiceProviderConfig', (c) => scimJson(serviceProviderConfig(settings, baseUrl(c))));

  app.get('/ResourceTypes', (c) => {
    refuseFilter(c);
    const all = resourceTypes(settings, baseUrl(c));
    return scimJson(listResponse(all, all.length, 1));
  });
  app.get('/ResourceTypes/:id', (c) => {
    const id = c.req.param('id');
    const found = resourceTypes(settings, baseUrl(c)).find((t) => t['id'] === id);
    if (!found) throw new ScimError(404, `ResourceType ${id} not found`);
    return scimJson(found);
  });

  app.get('/Schemas', (c) => {
    refuseFilter(c);
    const all = schemas(settings, baseUrl(c));
    return scimJson(listResponse(all, all.length, 1));
  });
  app.get('/Schemas/:id', (c) => {
    const id = c.req.param('id');
    const found = schemas(settings, baseUrl(c)).find((s) => String(s['id']).toLowerCase() === id.toLowerCase());
    if (!found) throw new ScimError(404, `Schema ${id} not found`);
    return scimJson(found);
  });
  return app;
}
