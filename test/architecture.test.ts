// The layers of DESIGN.md §4, checked on every import in src/ (type-only imports included).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describeProblems, findCycle, importsOf, layerViolations, readImportGraph, type ImportGraph } from './support/architecture.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('architecture', () => {
  it('src keeps its layers: core imports only core, connectors and sources never store/audit/engine, only demo and simulate use simulators, no cycles', () => {
    const graph = readImportGraph(root, ['src']);
    assert.ok(graph.size > 50, `read ${graph.size} files`);
    assert.deepEqual(describeProblems(graph), []);
  });
});

describe('the architecture checker', () => {
  const graph = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

  it('reads every kind of import: value, type-only, side effect, re-export, multi-line, dynamic; not comments', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "import './side-effect.ts';",
      "export { c } from './c.ts';",
      "export type { D } from './d.ts';",
      "export * from './e.ts';",
      'import {',
      '  f,',
      '  type G,',
      "} from './fg.ts';",
      "import h, { i } from 'node:fs';",
      "const j = await import('./j.ts');",
      "// import { no } from './commented.ts';",
      "/* import { no } from './block.ts'; */",
      "export const k = 'import x from nowhere';",
    ].join('\n');
    assert.deepEqual(importsOf(source).sort(), ['../b.ts', './a.ts', './c.ts', './d.ts', './e.ts', './fg.ts', './j.ts', './side-effect.ts', 'node:fs'].sort());
  });

  it('names the file and the import that break a layer rule', () => {
    const planted = graph({
      'src/core/planner.ts': ['src/core/plan.ts', 'node:crypto', 'src/store/plans.ts', 'zod'],
      'src/core/plan.ts': [],
      'src/connectors/scim/connector.ts': ['src/connectors/connector.ts', 'src/audit/trail.ts'],
      'src/connectors/connector.ts': [],
      'src/sources/entra/reader.ts': ['src/connectors/http/client.ts', 'src/store/sources.ts'],
      'src/engine/sync.ts': ['src/store/accounts.ts', 'src/connectors/connector.ts'],
      'src/connectors/netskope/testing.ts': ['simulators/netskope/index.ts'],
      'src/connectors/netskope/connector.test.ts': ['simulators/netskope/index.ts'],
      'src/cli/demo.ts': ['simulators/scim/index.ts'],
      'src/cli/demo/messy-tenant.ts': ['simulators/scim/index.ts'],
      'src/cli/simulate.ts': ['simulators/scim/main.ts'],
      'src/cli/sync.ts': ['simulators/scim/index.ts'],
    });
    assert.deepEqual(
      layerViolations(planted).map((v) => `${v.file} → ${v.import}`),
      [
        'src/core/planner.ts → src/store/plans.ts',
        'src/core/planner.ts → zod',
        'src/connectors/scim/connector.ts → src/audit/trail.ts',
        'src/sources/entra/reader.ts → src/store/sources.ts',
        'src/connectors/netskope/testing.ts → simulators/netskope/index.ts',
        'src/cli/sync.ts → simulators/scim/index.ts',
      ],
    );
    assert.match(describeProblems(planted).join('\n'), /^src\/core\/planner\.ts imports src\/store\/plans\.ts: src\/core imports only src\/core and node built-ins$/m);
  });

  it('reports one import cycle as its path, type-only imports included', () => {
    const cyclic = graph({
      'src/scim/filter.ts': ['src/scim/filter-parser.ts', 'src/scim/attribute-path.ts'],
      'src/scim/filter-parser.ts': ['src/scim/lexer.ts', 'src/scim/filter.ts'],
      'src/scim/lexer.ts': [],
      'src/scim/attribute-path.ts': [],
    });
    assert.deepEqual(findCycle(cyclic), ['src/scim/filter-parser.ts', 'src/scim/filter.ts', 'src/scim/filter-parser.ts']);
    assert.match(describeProblems(cyclic).join('\n'), /import cycle: src\/scim\/filter-parser\.ts → src\/scim\/filter\.ts → src\/scim\/filter-parser\.ts/);
    assert.equal(findCycle(graph({ 'src/a.ts': ['src/b.ts', 'zod'], 'src/b.ts': ['src/c.ts'], 'src/c.ts': [] })), undefined);
  });
});
