import { attributeKey } from './attribute-path.ts';
import type { Filter } from './filter-ast.ts';
import { FilterParser } from './filter-parser.ts';

export type { AttributePath } from './attribute-path.ts';
export { matchesFilter, defaultCaseExact, type MatchOptions } from './filter-match.ts';

export type { AttributeTest, CompareFilter, CompareOperator, Filter, FilterValue, LogicalFilter, NotFilter, PatchPath, PresentFilter, ValuePathFilter } from './filter-ast.ts';

/** Parses a SCIM filter; throws ScimError(400, …, 'invalidFilter') saying where and what was expected. */
export function parseFilter(text: string): Filter {
  return new FilterParser(text, 'filter').parseFilter();
}

/** The lower-case operators a filter uses: compare operators, 'pr', 'and', 'or', 'not'. */
export function filterOperators(filter: Filter): Set<string> {
  const operators = new Set<string>();
  visit(filter, '', (node) => {
    if (node.kind === 'compare') operators.add(node.op);
    else if (node.kind === 'present') operators.add('pr');
    else if (node.kind !== 'valuePath') operators.add(node.kind);
  });
  return operators;
}

/** The attribute paths a filter uses, lower-cased and dotted (`username`, `emails.type`), first use first. */
export function filterAttributes(filter: Filter): string[] {
  const attributes = new Set<string>();
  visit(filter, '', (node, parent) => {
    if (node.kind === 'compare' || node.kind === 'present') {
      attributes.add(parent === '' ? attributeKey(node.path) : `${parent}.${attributeKey(node.path)}`);
    }
  });
  return [...attributes];
}

function visit(filter: Filter, parent: string, fn: (node: Filter, parent: string) => void): void {
  fn(filter, parent);
  switch (filter.kind) {
    case 'and':
    case 'or':
      visit(filter.left, parent, fn);
      visit(filter.right, parent, fn);
      break;
    case 'not':
      visit(filter.filter, parent, fn);
      break;
    case 'valuePath': {
      const key = attributeKey(filter.path);
      visit(filter.filter, key, fn);
      if (filter.subFilter) visit(filter.subFilter, key, fn);
      break;
    }
  }
}
