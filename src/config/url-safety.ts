/** Query parameter names that carry a credential whatever else they say. */
const secretNamePart = /token|secret|passw|api[-_.]?key|credential|signature|bearer|jwt|session[-_.]?id/;
/** Short names that carry a credential when they stand alone or as a word of the name (api_key, x-auth). */
const secretNameWords = new Set(['key', 'sig', 'auth', 'pwd', 'pass', 'session', 'apikey', 'authorization']);

function looksSecret(name: string): boolean {
  const lower = name.toLowerCase();
  return secretNamePart.test(lower) || lower.split(/[^a-z0-9]+/).some((word) => secretNameWords.has(word));
}

/** Hosts where plain http:// is fine: the traffic never leaves the machine (simulators, tunnels). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * What is unsafe about a URL roster sends credentials to, one sentence per problem, naming the
 * config path but never the secret: credentials in the URL itself (they would be stored and
 * printed as part of it), a secret-looking query parameter, or plain http:// off this machine.
 */
export function urlSafetyProblems(text: string, at: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return []; // the schema reports a URL it cannot parse
  }
  const problems: string[] = [];
  if (url.username || url.password) {
    problems.push(`${at}: holds credentials (user:password@); put them in auth as a secret reference (env:NAME or file:path), never in the URL`);
  }
  const secretParams = [...new Set([...url.searchParams.keys()].filter(looksSecret))];
  if (secretParams.length > 0) {
    const names = secretParams.map((name) => (name.length > 40 ? `${name.slice(0, 40)}…` : name)).join(', ');
    problems.push(`${at}: its query string carries a secret-looking parameter (${names}); put credentials in auth as a secret reference, never in the URL`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    problems.push(`${at}: plain http:// to ${url.hostname} would send credentials unencrypted; use https:// (http:// is for localhost, 127.0.0.0/8 and ::1 only)`);
  }
  return problems;
}

/** The URL problems of every app in a config as written (before the schema has checked its shape). */
export function appUrlProblems(config: unknown): string[] {
  const apps = (config as { apps?: unknown } | null | undefined)?.apps;
  if (!apps || typeof apps !== 'object') return [];
  return Object.entries(apps).flatMap(([name, app]) => {
    const fields = (app ?? {}) as { baseUrl?: unknown; auth?: { tokenUrl?: unknown } };
    return [
      ...(typeof fields.baseUrl === 'string' ? urlSafetyProblems(fields.baseUrl, `apps.${name}.baseUrl`) : []),
      ...(typeof fields.auth?.tokenUrl === 'string' ? urlSafetyProblems(fields.auth.tokenUrl, `apps.${name}.auth.tokenUrl`) : []),
    ];
  });
}
