import { z } from 'zod';
import { connectorModules, type AppConfig } from '../connectors/modules.ts';
import { sourcesSchema } from '../sources/config.ts';
import { anyAppSchema, secretRef } from './app-schema.ts';
import { authConfigSchema } from '../auth/config.ts';

export type { AppConfig } from '../connectors/modules.ts';

/**
 * An app: the union of the connector modules' schemas, discriminated on `type`. An unknown type
 * is one clear problem listing the known types, and the settings every app has are still checked,
 * so every problem is reported at once.
 */
export function appSchemaFor<Config>(modules: readonly { type: string; schema: z.ZodType }[]): z.ZodType<Config> {
  const known = modules.map((m) => m.type);
  return z.unknown().transform((input, ctx): Config => {
    const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
    const module = modules.find((m) => m.type === type);
    const parsed = (module ? module.schema : anyAppSchema).safeParse(input);
    if (!module) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: type === undefined ? `required: one of ${known.join(', ')}` : `no connector for type ${typeof type === 'string' ? type : JSON.stringify(type)}; known types: ${known.join(', ')}`,
      });
    }
    if (!parsed.success) for (const issue of parsed.error.issues) if (module || issue.path[0] !== 'type') ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
    return (parsed.success && module ? parsed.data : z.NEVER) as Config;
  });
}

/** The whole config file, its apps checked against these connector modules. */
export function configSchemaFor<Config>(modules: readonly { type: string; schema: z.ZodType }[]) {
  return z
    .object({
      /** roster's home folder (embedded database, lock). Default .roster beside the config file. */
      home: z.string().min(1).optional(),
      /** PostgreSQL URL; absent → the embedded database. Usually env:DATABASE_URL. */
      database: z.object({ url: secretRef }).strict().optional(),
      people: z.object({ file: z.string().min(1) }).strict().optional(),
      /** Where people come from, by name: csv/json files, the SCIM push, Entra ID or Okta pulls. */
      sources: sourcesSchema,
      /** `roster serve`: where the HTTP server (inbound SCIM) listens. Default 127.0.0.1:8080. */
      server: z.object({ host: z.string().min(1).optional(), port: z.number().int().min(0).max(65535).optional() }).strict().optional(),
      /** Sign-in: single sign-on with an OIDC provider (auth.oidc). */
      auth: authConfigSchema.optional(),
      apps: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'app names are lowercase letters, digits, - and _'), appSchemaFor<Config>(modules)).default({}),
    })
    .strict();
}

export const configSchema = configSchemaFor<AppConfig>(connectorModules);

export type RawConfig = z.infer<typeof configSchema>;
