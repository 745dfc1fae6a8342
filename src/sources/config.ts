// The `sources` section of roster.yaml: where people come from. Each source has a name; a person
// remembers the source that brought them and that source's immutable id for them.
import { z } from 'zod';
import { secretRef, type Resolved } from '../config/app-schema.ts';

const schedule = z
  .object({
    /** Minutes between incremental pulls in a long-running service. Default 5. */
    incrementalMinutes: z.number().positive().default(5),
    /** Days between full pulls (a full read also finds people deleted from the IdP). Default 7. */
    fullDays: z.number().positive().default(7),
  })
  .strict()
  .prefault({});

/** An IdP app whose assignments roster reads: its id in the IdP, and a name to show. */
const assignedApp = z.union([z.string().min(1).transform((id) => ({ id, name: id })), z.object({ id: z.string().min(1), name: z.string().min(1).optional() }).strict().transform((a) => ({ id: a.id, name: a.name ?? a.id }))]);

const pullCommon = {
  apps: z.array(assignedApp).default([]),
  timeoutMs: z.number().int().positive().default(30_000),
  /** Longest Retry-After (or rate-limit reset) roster waits out in place before the pull fails. */
  maxWaitMs: z.number().int().nonnegative().default(60_000),
  schedule,
};

export const entraSourceSchema = z
  .object({
    type: z.literal('entra'),
    tenantId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: secretRef,
    authority: z.url({ protocol: /^https?$/ }).default('https://login.microsoftonline.com'),
    graphUrl: z.url({ protocol: /^https?$/ }).default('https://graph.microsoft.com/v1.0'),
    /** Objects per delta page (Prefer: odata.maxpagesize); Graph allows at most 999. */
    pageSize: z.number().int().min(1).max(999).default(999),
    ...pullCommon,
  })
  .strict();

export const oktaSourceSchema = z
  .object({
    type: z.literal('okta'),
    baseUrl: z.url({ protocol: /^https?$/ }),
    auth: z.discriminatedUnion('type', [
      z.object({ type: z.literal('ssws'), token: secretRef }).strict(),
      z.object({ type: z.literal('oauth2'), clientId: z.string().min(1), clientSecret: secretRef, tokenUrl: z.url({ protocol: /^https?$/ }).optional() }).strict(),
    ]),
    ...pullCommon,
  })
  .strict();

export const fileSourceSchema = z.object({ type: z.enum(['csv', 'json']), file: z.string().min(1) }).strict();
/** People pushed by an IdP to roster's SCIM endpoint. */
export const scimSourceSchema = z.object({ type: z.literal('scim') }).strict();

export const sourceSchema = z.discriminatedUnion('type', [entraSourceSchema, oktaSourceSchema, fileSourceSchema, scimSourceSchema]);
export const sourcesSchema = z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'source names are lowercase letters, digits, - and _'), sourceSchema).default({});

export const sourceTypes = ['csv', 'json', 'scim', 'entra', 'okta'] as const;
export type SourceConfig = z.output<typeof sourceSchema>;

/** A configured source with its secrets resolved and its name. */
export type ResolvedSource = Resolved<SourceConfig> & { name: string };
export type ResolvedPullSource = Extract<ResolvedSource, { type: 'entra' | 'okta' }>;

export function isPullSource(source: ResolvedSource): source is ResolvedPullSource {
  return source.type === 'entra' || source.type === 'okta';
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

/**
 * Sources that would feed roster the same people by the same road, which roster refuses rather
 * than merging in silence: one IdP tenant read twice, one file named twice (people.file included).
 * Two different roads for the same people (an IdP's SCIM push and a pull of the same IdP, a file
 * and a pull) are fine: people are matched by source id, then by the link rules.
 */
export function sourceConflicts(sources: Record<string, SourceConfig>, peopleFile: string | undefined, resolvePath: (file: string) => string): string[] {
  const problems: string[] = [];
  const entries = Object.entries(sources);
  entries.forEach(([name, source], i) => {
    for (const [other, earlier] of entries.slice(0, i)) {
      if (source.type === 'entra' && earlier.type === 'entra' && source.tenantId.toLowerCase() === earlier.tenantId.toLowerCase()) {
        problems.push(`sources.${name}: reads Entra tenant ${source.tenantId}, as sources.${other} does already; one tenant is one source`);
      }
      if (source.type === 'okta' && earlier.type === 'okta' && sameUrl(source.baseUrl, earlier.baseUrl)) {
        problems.push(`sources.${name}: reads Okta org ${source.baseUrl}, as sources.${other} does already; one org is one source`);
      }
      if ((source.type === 'csv' || source.type === 'json') && (earlier.type === 'csv' || earlier.type === 'json') && resolvePath(source.file) === resolvePath(earlier.file)) {
        problems.push(`sources.${name}: names the file ${source.file}, as sources.${other} does already`);
      }
      if (source.type === 'scim' && earlier.type === 'scim') problems.push(`sources.${name}: roster has one SCIM endpoint, and sources.${other} names it already`);
    }
    if ((source.type === 'csv' || source.type === 'json') && peopleFile && resolvePath(source.file) === resolvePath(peopleFile)) {
      problems.push(`sources.${name}: names ${source.file}, which people.file names too; keep it in one place (sources)`);
    }
    if ((source.type === 'csv' || source.type === 'json') && !source.file.toLowerCase().endsWith(`.${source.type}`)) {
      problems.push(`sources.${name}: a ${source.type} source's file must end in .${source.type}`);
    }
  });
  return problems;
}
