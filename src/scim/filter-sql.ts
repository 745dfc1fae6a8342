// SCIM filter → a parameterised SQL condition over a resource's JSON document, with the same
// meaning as the in-memory matcher (filter-match.ts): a multi-valued attribute matches when any
// element does, `ne` is "no element equals", `eq null` is "not present", a complex value compared
// whole compares its `value`, dateTimes compare as instants, strings case-insensitively unless the
// attribute is case-exact. Values are always parameters, never SQL text. It relies on the SQL
// functions of migration 006 (scim_values, scim_present, scim_time).
import { attributeKey, type AttributePath } from './attribute-path.ts';
import { ScimError } from './errors.ts';
import type { AttributeTest, CompareFilter, CompareOperator, Filter } from './filter-ast.ts';
import { defaultCaseExact } from './filter-match.ts';
import { resolveAttribute, subAttribute, type AttributeDefinition, type ResourceTypeDefinition } from './resource-schemas.ts';

export interface IndexedColumn {
  /** A column always equal to the attribute's value. */
  column: string;
  /** Compare lower-cased (a case-insensitive attribute, with an index on lower(column)). */
  lower: boolean;
}

export interface SqlFilterOptions {
  type: ResourceTypeDefinition;
  /** The SQL expression of the resource's JSON document (jsonb). */
  doc: string;
  /** Parameters so far; the filter's values are appended and referred to as $n. */
  params: unknown[];
  /** Attributes (lower-case keys: `username`) with an indexed column: `eq` on them also narrows by it. */
  indexed?: Record<string, IndexedColumn>;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;
const ORDER_SQL: Record<string, string> = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' };

/**
 * The indexed column and the text of `attr eq "text"` (or `ne`) on an attribute that has one, where
 * the test on the column means exactly the test on the attribute: a single-valued string compared
 * with a string that is no dateTime. Undefined for any other filter.
 */
export function indexedComparison(filter: Filter, indexed: Record<string, IndexedColumn> | undefined): { column: IndexedColumn; value: string } | undefined {
  if (filter.kind !== 'compare' || (filter.op !== 'eq' && filter.op !== 'ne')) return undefined;
  if (typeof filter.value !== 'string' || DATE_TIME.test(filter.value)) return undefined;
  const column = indexed?.[attributeKey(filter.path)];
  return column ? { column, value: filter.value } : undefined;
}

/** The SQL condition for a filter; 400 invalidFilter for an attribute the resource type does not have. */
export function filterToSql(filter: Filter, options: SqlFilterOptions): string {
  return new Builder(options).condition(filter, { sql: options.doc, key: '', attribute: undefined });
}

interface Scope {
  /** SQL jsonb expression of the object paths are read from. */
  sql: string;
  /** The parent attribute's key inside a value filter (`emails`), '' at the top. */
  key: string;
  /** The parent attribute inside a value filter. */
  attribute: AttributeDefinition | undefined;
}

class Builder {
  readonly #o: SqlFilterOptions;
  #alias = 0;

  constructor(options: SqlFilterOptions) {
    this.#o = options;
  }

  condition(filter: Filter, scope: Scope): string {
    switch (filter.kind) {
      case 'and':
      case 'or':
        return `(${this.condition(filter.left, scope)} ${filter.kind} ${this.condition(filter.right, scope)})`;
      case 'not':
        return `(not ${this.condition(filter.filter, scope)})`;
      case 'present':
      case 'compare':
        return this.test(filter, scope);
      case 'valuePath': {
        const { base, key, attribute } = this.locate(filter.path, scope, true);
        const e = this.alias('e');
        const inner: Scope = { sql: e, key, attribute };
        const parts = [`jsonb_typeof(${e}) = 'object'`, this.condition(filter.filter, inner)];
        if (filter.subFilter) parts.push(this.condition(filter.subFilter, inner));
        return `exists (select 1 from scim_values(${base}, null) as ${e} where ${parts.join(' and ')})`;
      }
    }
  }

  /**
   * `userName eq "x"` (and the like) on an attribute with an indexed column: the same test on the
   * column, which the database answers from its index. Only where it means exactly the same: a
   * single-valued string compared for equality with a string that is no dateTime.
   */
  private indexed(filter: AttributeTest, scope: Scope): string | undefined {
    if (scope.attribute !== undefined || filter.kind !== 'compare' || (filter.op !== 'eq' && filter.op !== 'ne')) return undefined;
    const found = indexedComparison(filter, this.#o.indexed);
    if (!found) return undefined;
    const { column } = found;
    const param = this.param(found.value);
    // Never null (so `not` stays right), and in a form the index serves.
    const equal = `(${column.column} is not null and ${column.lower ? `lower(${column.column}) = lower(${param}::text)` : `${column.column} = ${param}::text`})`;
    return filter.op === 'eq' ? equal : `(not ${equal})`;
  }

  private test(filter: AttributeTest, scope: Scope): string {
    const fast = this.indexed(filter, scope);
    if (fast !== undefined) return fast;
    const { base, sub, key } = this.locate(filter.path, scope, false);
    const v = this.alias('v');
    const values = `scim_values(${base}, ${sub === undefined ? 'null' : quote(sub)})`;
    const some = (condition: string) => `exists (select 1 from ${values} as ${v} where ${condition})`;
    if (filter.kind === 'present') return some(`scim_present(${v})`);
    if (filter.value === null) return filter.op === 'ne' ? some(`scim_present(${v})`) : `(not ${some(`scim_present(${v})`)})`;
    const exact = defaultCaseExact(key);
    if (filter.op === 'ne') return `(not ${some(this.compare(v, { ...filter, op: 'eq' }, exact))})`;
    return some(this.compare(v, filter, exact));
  }

  /** Mirrors filter-match.ts `test`: one value against one literal. */
  private compare(v: string, filter: CompareFilter, exact: boolean): string {
    const u = `(case when jsonb_typeof(${v}) = 'object' and ${v} ? 'value' then ${v} -> 'value' else ${v} end)`;
    const { op, value } = filter;
    const text = `(${u} #>> '{}')`;
    if (typeof value === 'boolean') {
      // CASE, not AND: SQL does not promise to test the type before it casts.
      return `(case jsonb_typeof(${u}) when 'boolean' then (${u})::boolean = ${value ? 'true' : 'false'} when 'string' then lower(${text}) = '${String(value)}' else false end)`;
    }
    if (typeof value === 'number') {
      const p = this.param(value);
      const loose = op === 'eq' ? ` or (jsonb_typeof(${u}) = 'string' and ${text} = ${this.param(String(value))}::text)` : '';
      return `((case when jsonb_typeof(${u}) = 'number' then (${u})::numeric ${ORDER_SQL[op] ?? '='} ${p}::numeric else false end)${loose})`;
    }
    if (typeof value !== 'string') return 'false';
    const loose = op === 'eq' ? ` or (jsonb_typeof(${u}) = 'number' and ${text} = ${this.param(value)}::text)` : '';
    return `((jsonb_typeof(${u}) = 'string' and ${this.compareStrings(text, op, value, exact)})${loose})`;
  }

  private compareStrings(text: string, op: CompareOperator, literal: string, exact: boolean): string {
    const p = this.param(literal);
    const x = exact ? text : `lower(${text})`;
    const y = exact ? `${p}::text` : `lower(${p}::text)`;
    let plain: string;
    switch (op) {
      case 'co': return `strpos(${x}, ${y}) > 0`;
      case 'sw': return `left(${x}, length(${y})) = ${y}`;
      case 'ew': return `right(${x}, length(${y})) = ${y}`;
      case 'eq': plain = `${x} = ${y}`; break;
      default: plain = `(${x} collate "C") ${ORDER_SQL[op] ?? '='} (${y} collate "C")`;
    }
    const time = DATE_TIME.test(literal) ? Date.parse(literal) : Number.NaN;
    if (Number.isNaN(time)) return plain;
    const t = this.param(time);
    return `(case when scim_time(${text}) is not null then scim_time(${text}) ${ORDER_SQL[op] ?? '='} ${t}::double precision else ${plain} end)`;
  }

  /** The SQL of the value an attribute path reaches (before its sub-attribute), checked against the schema. */
  private locate(path: AttributePath, scope: Scope, forValueFilter: boolean): { base: string; sub: string | undefined; key: string; attribute: AttributeDefinition } {
    if (scope.attribute !== undefined) {
      const sub = subAttribute(scope.attribute, path.attribute);
      if (!sub || path.subAttribute !== undefined) throw unknown(`${scope.key}.${path.attribute}`, this.#o.type);
      return { base: `${scope.sql} -> ${quote(sub.name)}`, sub: undefined, key: `${scope.key}.${attributeKey(path)}`, attribute: sub };
    }
    const resolved = resolveAttribute(this.#o.type, path);
    const written = `${path.schema ? `${path.schema}:` : ''}${path.attribute}${path.subAttribute ? `.${path.subAttribute}` : ''}`;
    if (!resolved) throw unknown(written, this.#o.type);
    if (forValueFilter && resolved.attribute.type !== 'complex') {
      throw new ScimError(400, `Invalid filter: "${written}" is not a complex attribute, so it takes no "[…]" filter`, 'invalidFilter');
    }
    const container = resolved.extension ? `${scope.sql} -> ${quote(resolved.extension)}` : scope.sql;
    return { base: `${container} -> ${quote(resolved.attribute.name)}`, sub: resolved.sub?.name, key: attributeKey(path), attribute: resolved.attribute };
  }

  private param(value: unknown): string {
    this.#o.params.push(value);
    return `$${this.#o.params.length}`;
  }

  private alias(prefix: string): string {
    this.#alias += 1;
    return `${prefix}${this.#alias}`;
  }
}

function quote(name: string): string {
  return `'${name.replace(/'/g, "''")}'`;
}

function unknown(path: string, type: ResourceTypeDefinition): ScimError {
  return new ScimError(400, `Invalid filter: a ${type.name} has no attribute "${path}" (see /Schemas)`, 'invalidFilter');
}

/** The SQL to sort by an attribute (ascending order of text), or a 400 when the resource type lacks it. */
export function sortExpression(sortBy: string, type: ResourceTypeDefinition, doc: string, path: AttributePath, indexed: Record<string, IndexedColumn> = {}): string {
  const resolved = resolveAttribute(type, path);
  if (!resolved) throw new ScimError(400, `sortBy: a ${type.name} has no attribute "${sortBy}"`, 'invalidValue');
  const column = indexed[attributeKey(path)];
  if (column) return column.lower ? `lower(${column.column})` : column.column;
  const container = resolved.extension ? `${doc} -> ${quote(resolved.extension)}` : doc;
  const base = `${container} -> ${quote(resolved.attribute.name)}`;
  const sub = resolved.sub?.name ?? (resolved.attribute.type === 'complex' && subAttribute(resolved.attribute, 'value') ? 'value' : undefined);
  let text: string;
  if (resolved.attribute.multiValued) {
    // RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value (else its first).
    const e = 'sort_e';
    const pick = sub === undefined ? `${e} #>> '{}'` : `${e} ->> ${quote(sub)}`;
    text = `(select ${pick} from jsonb_array_elements(case when jsonb_typeof(${base}) = 'array' then ${base} else '[]'::jsonb end) with ordinality as s(${e}, n) order by (${e} ->> 'primary') = 'true' desc, n limit 1)`;
  } else {
    text = sub === undefined ? `(${base} #>> '{}')` : `(${base} ->> ${quote(sub)})`;
  }
  const exact = defaultCaseExact(attributeKey(path)) || (resolved.sub ?? resolved.attribute).caseExact;
  return exact ? `(${text} collate "C")` : `(lower(${text}) collate "C")`;
}
