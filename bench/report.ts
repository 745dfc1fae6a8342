// What the connector benchmarks share: a simulator's request log, counted and printed beside the minimum.

/** One request as a simulator logged it. */
export interface Logged {
  method: string;
  path: string;
  status: number;
  at: number;
}

/** One job's request count beside the API's minimum. */
export interface CountFigure {
  vendor: string;
  job: string;
  made: number;
  minimum: number;
}

export const fmt = (n: number) => n.toLocaleString('en-US');
export const pad = (s: string, n: number) => s.padEnd(n);

/** `METHOD /path` with the API prefixes given dropped and a trailing id (uuid or number) as {id}. */
export function requestShape(r: Logged, prefixes: readonly RegExp[], numericIds = true): string {
  let path = r.path;
  for (const prefix of prefixes) path = path.replace(prefix, '');
  path = path.replace(/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, '/{id}');
  if (numericIds) path = path.replace(/\/\d+$/, '/{id}');
  return `${r.method} ${path}`;
}

/** "2× GET /users, 1× POST /users/bulkDelete", in order of first appearance. */
function summary(requests: readonly Logged[], shape: (r: Logged) => string): string {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(shape(r), (counts.get(shape(r)) ?? 0) + 1);
  return [...counts].map(([what, n]) => `${fmt(n)}× ${what}`).join(', ');
}

/** Prints a job's requests beside the minimum, what was sent and why the minimum is what it is. */
export function countLine(vendor: string, job: string, requests: readonly Logged[], minimum: number, why: string, shape: (r: Logged) => string): CountFigure {
  const made = requests.length;
  const mark = made === minimum ? '' : made > minimum ? `  (+${fmt(made - minimum)})` : '  <-- FEWER THAN THE MINIMUM?';
  console.log(`${pad(vendor, 9)}${pad(job, 30)}${pad(`${fmt(made)} request${made === 1 ? '' : 's'}`, 16)}(minimum ${fmt(minimum)})${mark}`);
  console.log(`${' '.repeat(9)}  sent:    ${summary(requests, shape)}`);
  console.log(`${' '.repeat(9)}  minimum: ${why}`);
  const errors = requests.filter((r) => r.status >= 400 && r.status !== 404);
  if (errors.length > 0) console.log(`${' '.repeat(9)}  errors:  ${errors.map((r) => `${shape(r)} ${r.status}`).join(', ')}`);
  return { vendor, job, made, minimum };
}

/** The requests `run` adds to a simulator's log. */
export async function counted(log: () => readonly Logged[], run: () => Promise<unknown>): Promise<Logged[]> {
  const before = log().length;
  await run();
  return log().slice(before);
}
