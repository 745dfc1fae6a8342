// The parts every app's config is built from. A connector module builds its own app schema with
// appSchema(); config/schema.ts joins the modules' schemas. This file imports no connector.
import { z } from 'zod';
import { defaultPolicy, manageableAttributes } from '../core/policy.ts';
import type { Secret } from './secret.ts';

/** Credentials are always references: `env:NAME` or `file:path`, never the secret itself. */
export const secretRef = z
  .string()
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$/, 'must be a secret reference such as env:NAME or file:path, never the secret itself');

/** Config keys whose values are secret references, resolved to a Secret when the config is loaded. */
export const secretFields = ['token', 'password', 'apiKey', 'clientSecret'] as const;
export type SecretField = (typeof secretFields)[number];

/** The ways to authenticate an app, by `auth.type`; a module says which of them its app takes. */
export const authKinds = {
  bearer: z.object({ type: z.literal('bearer'), token: secretRef }).strict(),
  basic: z.object({ type: z.literal('basic'), username: z.string().min(1), password: secretRef }).strict(),
  header: z.object({ type: z.literal('header'), header: z.string().min(1), token: secretRef }).strict(),
  'zscaler-session': z.object({ type: z.literal('zscaler-session'), username: z.string().min(1), password: secretRef, apiKey: secretRef }).strict(),
  'oauth2-client-credentials': z.object({ type: z.literal('oauth2-client-credentials'), tokenUrl: z.url(), clientId: z.string().min(1), clientSecret: secretRef }).strict(),
} as const;
export type AuthKind = keyof typeof authKinds;
export type AuthConfig = z.output<(typeof authKinds)[AuthKind]>;

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
          .object({ share: z.number().gt(0).max(1).default(0.1), minimum: z.number().int().nonnegative().default(5), withinMinutes: z.number().int().positive().default(60) })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The settings every app has, whatever its type. */
const commonAppFields = {
  baseUrl: z.url({ protocol: /^https?$/ }),
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
};

/**
 * One connector type's app schema: `type`, the common settings, the auth kinds it takes, and its
 * own settings (ZIA's `defaults`, Netskope's `events`, …). Unknown keys are refused.
 */
export function appSchema<const Type extends string, const Kinds extends readonly [AuthKind, ...AuthKind[]], Settings extends z.ZodRawShape = Record<never, never>>(type: Type, auth: Kinds, settings?: Settings) {
  const options = auth.map((kind) => authKinds[kind]) as unknown as { [I in keyof Kinds]: (typeof authKinds)[Kinds[I]] };
  return z
    .object({
      type: z.literal(type),
      ...commonAppFields,
      auth: z.discriminatedUnion('type', options, { error: (issue) => (issue.code === 'invalid_union' ? `a ${type} app authenticates with auth.type ${auth.join(' or ')}` : undefined) }),
      ...(settings ?? ({} as Settings)),
    })
    .strict();
}

/** The settings of any app, its type unchecked: read to report every other problem when the type is unknown. */
export const anyAppSchema = z.object({ type: z.string(), ...commonAppFields }).loose();

type SecretOf<V> = V extends string ? Secret : V;

/** A parsed app config with every secret reference resolved to a Secret (never a bare string). */
export type Resolved<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]: K extends SecretField ? SecretOf<T[K]> : Resolved<T[K]> }
    : T;

/** An app as a connector module receives it: its parsed config with secrets resolved, and its name. */
export type ResolvedAppOf<Config> = Resolved<Config> & { name: string };
