import { z } from 'zod';
import { defaultPolicy, manageableAttributes } from '../core/policy.ts';

export const connectorTypes = ['scim', 'zscaler', 'netskope', 'umbrella', 'rsa'] as const;
export type ConnectorType = (typeof connectorTypes)[number];

/** Credentials are always references: `env:NAME` or `file:path`, never the secret itself. */
export const secretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, 'must be a secret reference such as env:NAME or file:path, never the secret itself');

const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('bearer'), token: secretRef }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: secretRef }).strict(),
  z.object({ type: z.literal('header'), header: z.string().min(1), token: secretRef }).strict(),
  z.object({ type: z.literal('zscaler-session'), username: z.string().min(1), password: secretRef, apiKey: secretRef }).strict(),
  z
    .object({ type: z.literal('oauth2-client-credentials'), tokenUrl: z.url(), clientId: z.string().min(1), clientSecret: secretRef })
    .strict(),
]);

const names = z.array(z.string().min(1)).default([]);

/** Per-app policy; every field has a default, so an app with no policy block gets defaultPolicy. */
export const policySchema = z
  .object({
    assign: z
      .object({ everyone: z.boolean().optional(), groups: names, departments: names })
      .strict()
      .prefault({})
      .transform((a) => ({ everyone: a.everyone ?? (a.groups.length === 0 && a.departments.length === 0), groups: a.groups, departments: a.departments })),
    manage: z.array(z.enum(manageableAttributes)).default([...defaultPolicy.manage]),
    groups: z.record(z.string().min(1), z.string().min(1)).default({}),
    roles: z.array(z.object({ group: z.string().min(1), role: z.string().min(1) }).strict()).default([]),
    defaultRole: z.string().min(1).optional(),
    leaver: z.enum(['deactivate', 'delete']).default('deactivate'),
    orphans: z.enum(['report', 'deactivate']).default('report'),
    approval: z
      .object({
        deletes: z.boolean().default(true),
        roles: names,
        people: names,
        massChange: z
          .object({ share: z.number().gt(0).max(1).default(0.1), minimum: z.number().int().nonnegative().default(5) })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const appSchema = z
  .object({
    type: z.enum(connectorTypes),
    baseUrl: z.url({ protocol: /^https?$/ }),
    auth: authSchema,
    /** Largest page to ask for; by default the largest the app says it allows. */
    pageSize: z.number().int().positive().max(100_000).optional(),
    /** Per-request timeout. */
    timeoutMs: z.number().int().positive().default(30_000),
    /** Longest Retry-After roster waits out in place before giving up on the run. */
    maxWaitMs: z.number().int().nonnegative().default(60_000),
    policy: policySchema.prefault({}),
    /**
     * Pace requests to the vendor's documented rate limits (shared by everything using the
     * credential). false: no pacing, for a simulator run without limits. timeScale below 1 matches
     * a time-scaled simulator (1/3600: an hour lasts a second).
     */
    rateBudget: z
      .union([z.literal(false), z.object({ timeScale: z.number().positive().max(1).default(1) }).strict()])
      .default({ timeScale: 1 }),
    /**
     * Netskope: a REST API v2 token with the `events` scope (a different kind from the SCIM token);
     * when set, every sync also reads Netskope's admin audit events into roster's audit trail.
     */
    events: z.object({ token: secretRef }).strict().optional(),
    /** Values for fields an app requires on create when the person has none (ZIA: a department and groups). */
    defaults: z.object({ department: z.string().min(1).optional(), groups: z.array(z.string().min(1)).optional() }).strict().optional(),
  })
  .strict();

export const configSchema = z
  .object({
    /** roster's home folder (embedded database, lock). Default .roster beside the config file. */
    home: z.string().min(1).optional(),
    /** PostgreSQL URL; absent → the embedded database. Usually env:DATABASE_URL. */
    database: z.object({ url: secretRef }).strict().optional(),
    people: z.object({ file: z.string().min(1) }).strict().optional(),
    apps: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'app names are lowercase letters, digits, - and _'), appSchema).default({}),
  })
  .strict();

export type AuthConfig = z.infer<typeof authSchema>;
export type AppConfig = z.infer<typeof appSchema>;
export type RawConfig = z.infer<typeof configSchema>;
