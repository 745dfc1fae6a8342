// The layer rules of DESIGN.md §4, as a function over an import graph (file → the files it imports).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Files (paths relative to the repository, with `/`) and what each imports: relative specifiers resolved to paths, others kept as written. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

export interface Violation {
  file: string;
  import: string;
  rule: string;
}

/**
 * Every module specifier in a TypeScript source: `import … from '…'`, `import type … from '…'`,
 * `import '…'`, `export … from '…'` (type-only too) and dynamic `import('…')` with a literal.
 * Comments and the insides of template strings are not read as imports.
 */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [
    /(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?)\s+from\s+['"]([^'"]+)['"]/g,
    /(?:^|[\n;])\s*import\s+['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) if (match[1]) found.push(match[1]);
  return found;
}

/** node:fs, undici, zod…: a specifier that is not a path (roster's own imports always name a file, .ts included). */
const isPackage = (specifier: string) => !specifier.startsWith('.') && !specifier.startsWith('/');
/** In a graph, files are repository paths; packages are kept as written. */
const isFile = (target: string) => /\.(ts|js|mjs|json|sql)$/.test(target) && !target.startsWith('node:');
const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:');

/** Reads every .ts file under `dirs` (relative to root) into an import graph. */
export function readImportGraph(root: string, dirs: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(resolve(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const imports = importsOf(readFileSync(resolve(root, path), 'utf8')).map((spec) => (isPackage(spec) ? spec : relative(root, resolve(root, dirname(path), spec)).split('\\').join('/')));
        graph.set(path.split('\\').join('/'), imports);
      }
    }
  };
  for (const dir of dirs) walk(dir);
  return graph;
}

const under = (path: string, folder: string) => path.startsWith(`${folder}/`);
const isTest = (path: string) => path.endsWith('.test.ts');

/** The rules; unit tests (x.test.ts) are held to the layer rules too, except that they may use simulators. */
export function layerViolations(graph: ImportGraph): Violation[] {
  const violations: Violation[] = [];
  for (const [file, imports] of graph) {
    if (!under(file, 'src')) continue;
    for (const target of imports) {
      const add = (rule: string) => violations.push({ file, import: target, rule });
      if (under(file, 'src/core')) {
        if (isFile(target) ? !under(target, 'src/core') : !isNodeBuiltin(target)) add('src/core imports only src/core and node built-ins');
      }
      if (under(file, 'src/connectors') && ['src/store', 'src/audit', 'src/engine'].some((layer) => under(target, layer))) add('src/connectors never imports src/store, src/audit or src/engine');
      // People sources read an IdP as connectors read an app: the engine writes what they read.
      if (under(file, 'src/sources') && ['src/store', 'src/audit', 'src/engine'].some((layer) => under(target, layer))) add('src/sources never imports src/store, src/audit or src/engine');
      if (under(target, 'simulators') && !isTest(file) && !/^src\/cli\/(demo[^/]*\.ts|demo\/.*|simulate\.ts)$/.test(file)) add('only src/cli/demo* and src/cli/simulate.ts import simulators/');
    }
  }
  return violations;
}

/** One import cycle among the files of the graph (as a path that ends where it starts), or undefined. */
export function findCycle(graph: ImportGraph): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      const seen = state.get(next);
      if (seen === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (seen === undefined) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of [...graph.keys()].sort()) {
    if (state.has(file)) continue;
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Every problem as one line a person can act on. */
export function describeProblems(graph: ImportGraph): string[] {
  const problems = layerViolations(graph).map((v) => `${v.file} imports ${v.import}: ${v.rule}`);
  const cycle = findCycle(graph);
  if (cycle) problems.push(`import cycle: ${cycle.join(' → ')}`);
  return problems;
}
