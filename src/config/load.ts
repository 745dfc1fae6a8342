import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { RosterError } from '../errors.ts';
import type { ResolvedApp } from '../connectors/modules.ts';
import { secretFields } from './app-schema.ts';
import { configSchema } from './schema.ts';
import { Secret } from './secret.ts';
import type { OidcSettings } from '../auth/oidc.ts';
import { appUrlProblems, urlSafetyProblems } from './url-safety.ts';
import { sourceConflicts, type ResolvedSource } from '../sources/config.ts';

export type { ResolvedApp } from '../connectors/modules.ts';

export interface ResolvedConfig {
  /** The file read, or undefined when roster runs on its defaults. */
  path: string | undefined;
  home: string;
  databaseUrl: Secret | undefined;
  /** Sign-in settings (auth.oidc), the client secret resolved like an app's. */
  auth: { oidc?: OidcSettings | undefined };
  peopleFile: string | undefined;
  /** Where `roster serve` listens. */
  server: { host: string; port: number };
  apps: ResolvedApp[];
  /** The people sources roster.yaml names (files, SCIM push, Entra ID, Okta), secrets resolved. */
  sources: ResolvedSource[];
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Allow a missing file at the default path: roster then runs with no apps. */
  optional?: boolean;
  /**
   * Resolve the apps' credentials (default true). Commands that never call an app (import, status,
   * audit) pass false, so a missing app secret does not stop them; such secrets refuse to reveal.
   */
  appSecrets?: boolean;
}

/** Reads, validates and resolves a roster.yaml; every problem is reported at once, with its path. */
export function loadConfig(path: string, options: LoadOptions = {}): ResolvedConfig {
  const file = resolve(path);
  if (!existsSync(file)) {
    if (options.optional) return parseConfig({}, undefined, options);
    throw new RosterError('config_invalid', `config file ${path} not found`);
  }
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const where = first?.linePos?.[0] ? ` at line ${first.linePos[0].line}` : '';
    throw new RosterError('config_invalid', `${path} is not valid YAML${where}: ${first?.message.split('\n')[0] ?? 'parse error'}`);
  }
  return parseConfig(doc.toJS() ?? {}, file, options);
}

/** Validates an already-parsed config object (from YAML, or built in code for the demo). */
export function parseConfig(input: unknown, file: string | undefined, options: LoadOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const label = file ?? 'config';
  const urlProblems = appUrlProblems(input);
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw configError(label, [...parsed.error.issues.map(describeIssue), ...urlProblems]);
  const baseDir = file ? dirname(file) : process.cwd();
  const problems: string[] = [...urlProblems];
  const secret = (ref: string, at: string): Secret => resolveSecret(ref, at, baseDir, env, problems);
  const appSecret = options.appSecrets === false ? (ref: string) => Secret.unresolved(ref) : secret;

  // Every secret reference in an app's settings (auth, Netskope's events token, …) becomes a Secret.
  const apps = Object.entries(parsed.data.apps).map(([name, app]) => ({ ...(withSecrets(app, `apps.${name}`, appSecret) as object), name }) as ResolvedApp);
  const databaseUrl = parsed.data.database ? secret(parsed.data.database.url, 'database.url') : undefined;
  const sourceEntries = Object.entries(parsed.data.sources);
  for (const [name, source] of sourceEntries) {
    for (const key of ['baseUrl', 'authority', 'graphUrl'] as const) {
      const url = (source as Record<string, unknown>)[key];
      if (typeof url === 'string') problems.push(...urlSafetyProblems(url, `sources.${name}.${key}`));
    }
  }
  problems.push(...sourceConflicts(parsed.data.sources, parsed.data.people?.file, (f) => resolve(baseDir, f)));
  const sources = sourceEntries.map(([name, source]) => {
    const resolved = { ...(withSecrets(source, `sources.${name}`, appSecret) as object), name } as ResolvedSource;
    return 'file' in resolved ? { ...resolved, file: resolve(baseDir, resolved.file) } : resolved;
  });
  const oidc = parsed.data.auth?.oidc;
  const auth = oidc ? { oidc: { ...oidc, clientSecret: appSecret(oidc.clientSecret, 'auth.oidc.clientSecret') } } : {};
  if (problems.length > 0) throw configError(label, problems);
  return {
    auth,
    path: file,
    home: resolve(baseDir, parsed.data.home ?? '.roster'),
    databaseUrl,
    peopleFile: parsed.data.people ? resolve(baseDir, parsed.data.people.file) : undefined,
    server: { host: parsed.data.server?.host ?? '127.0.0.1', port: parsed.data.server?.port ?? 8080 },
    apps,
    sources,
  };
}

/** A copy of value with every string under a secret key (token, password, …) resolved to a Secret; policy is never a secret. */
function withSecrets(value: unknown, at: string, secret: (ref: string, at: string) => Secret): unknown {
  if (Array.isArray(value) || typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => {
      const path = `${at}.${key}`;
      if (typeof field === 'string' && (secretFields as readonly string[]).includes(key)) return [key, secret(field, path)];
      return [key, key === 'policy' ? field : withSecrets(field, path, secret)];
    }),
  );
}

function resolveSecret(ref: string, at: string, baseDir: string, env: NodeJS.ProcessEnv, problems: string[]): Secret {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const value = env[name];
    if (!value) problems.push(`${at}: environment variable ${name} is not set`);
    return new Secret(value ?? '', ref);
  }
  const path = resolve(baseDir, ref.slice(5));
  try {
    const value = readFileSync(path, 'utf8').trim();
    if (!value) problems.push(`${at}: secret file ${path} is empty`);
    return new Secret(value, ref);
  } catch {
    problems.push(`${at}: secret file ${path} cannot be read`);
    return new Secret('', ref);
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') return `${path === '(top level)' ? '' : `${path}: `}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  // zod puts the offending value in some messages; a mistyped secret must not be echoed back.
  return `${path}: ${issue.message}`;
}

function configError(label: string, problems: string[]): RosterError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new RosterError('config_invalid', `${label} has ${count}: ${problems.join('; ')}`, { problems });
}
