import { ScimError, filterAttributes, filterOperators, listResponse, matchesFilter, parseFilter, type Filter, type ListResponse } from './protocol.ts';
import { project, splitPath, type Resource } from './render.ts';
import type { ScimSimulatorSettings } from './settings.ts';
import type { StoredResource } from './store.ts';
import { findAttribute, type AttributeDef } from './attributes.ts';

/** The raw list parameters, from a query string (GET) or a SearchRequest body (POST /.search). */
export interface ListParams {
  filter?: unknown;
  startIndex?: unknown;
  count?: unknown;
  attributes?: unknown;
  excludedAttributes?: unknown;
}

export interface ListQuery {
  filter: Filter | undefined;
  startIndex: number;
  count: number;
  attributes: string[][] | undefined;
  excludedAttributes: string[][] | undefined;
}

function integerParam(name: string, value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n)) throw new ScimError(400, `'${name}' must be an integer, got ${JSON.stringify(value)}`, 'invalidValue');
  return n;
}

/** A comma-separated list (query string) or an array of strings (SearchRequest). */
export function pathListParam(name: string, value: unknown, extensionUrns: readonly string[], coreUrns: readonly string[]): string[][] | undefined {
  if (value === undefined || value === '') return undefined;
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
  if (!items) throw new ScimError(400, `'${name}' must be a list of attribute names`, 'invalidValue');
  const paths = items.map((p) => p.trim()).filter((p) => p !== '');
  return paths.length > 0 ? paths.map((p) => splitPath(p, extensionUrns, coreUrns)) : undefined;
}

/** Parses a filter and refuses operators and attributes the settings do not allow (400 invalidFilter). */
export function checkedFilter(text: string, settings: ScimSimulatorSettings, coreUrns: readonly string[]): Filter {
  const filter = parseFilter(text);
  const supported = new Set(settings.supportedFilterOperators.map((op) => op.toLowerCase()));
  for (const op of filterOperators(filter)) {
    if (!supported.has(op)) throw new ScimError(400, `Unsupported filter operator '${op}'`, 'invalidFilter');
  }
  if (settings.filterableAttributes) {
    const strip = (path: string) => {
      let p = path.toLowerCase();
      for (const urn of coreUrns) if (p.startsWith(`${urn.toLowerCase()}:`)) p = p.slice(urn.length + 1);
      return p;
    };
    const allowed = settings.filterableAttributes.map(strip);
    for (const attribute of filterAttributes(filter)) {
      const a = strip(attribute);
      if (!allowed.some((ok) => a === ok || a.startsWith(`${ok}.`))) {
        throw new ScimError(400, `Filtering on '${attribute}' is not supported`, 'invalidFilter');
      }
    }
  }
  return filter;
}

export function parseListQuery(
  params: ListParams,
  settings: ScimSimulatorSettings,
  urns: { core: readonly string[]; extensions: readonly string[] },
): ListQuery {
  const startIndex = Math.max(1, integerParam('startIndex', params.startIndex) ?? 1);
  const requested = integerParam('count', params.count);
  const count = Math.min(settings.maxPageSize, Math.max(0, requested ?? settings.maxPageSize));
  if (params.filter !== undefined && typeof params.filter !== 'string') {
    throw new ScimError(400, "'filter' must be a string", 'invalidFilter');
  }
  let filterText = params.filter?.trim() ? params.filter : undefined;
  if (filterText !== undefined && settings.filtering === 'refused') throw new ScimError(400, 'Filtering is not supported by this service provider', 'invalidFilter');
  // A server without filtering that does not say so on the request: the whole list comes back.
  if (settings.filtering === 'ignored' || settings.filtering === 'ignored-unsaid') filterText = undefined;
  return {
    filter: filterText === undefined ? undefined : checkedFilter(filterText, settings, urns.core),
    startIndex,
    count,
    attributes: pathListParam('attributes', params.attributes, urns.extensions, urns.core),
    excludedAttributes: pathListParam('excludedAttributes', params.excludedAttributes, urns.extensions, urns.core),
  };
}

export interface ListSource {
  all: readonly StoredResource[];
  /** A small set that surely holds every match (from an index), or undefined to scan `all`. */
  candidates: readonly StoredResource[] | undefined;
  render(resource: StoredResource): Resource;
}

/** The paging quirks a list answers with (see ScimSimulatorSettings). */
export type PagingQuirks = Pick<ScimSimulatorSettings, 'totalResults' | 'startIndex'>;

const HONEST: PagingQuirks = { totalResults: 'honest', startIndex: 'honoured' };

/** Filters (in creation order), pages and projects: the body of a ListResponse. */
export function listResources(query: ListQuery, source: ListSource, quirks: PagingQuirks = HONEST, deleted = 0): ListResponse<Resource> {
  let matched: readonly StoredResource[];
  if (!query.filter) {
    matched = source.all;
  } else {
    const filter = query.filter;
    matched = (source.candidates ?? source.all).filter((r) => matchesFilter(source.render(r), filter));
  }
  const from = quirks.startIndex === 'honoured' ? query.startIndex : 1;
  const page = matched.slice(from - 1, from - 1 + query.count);
  const resources = page.map((r) => project(source.render(r), query));
  const total = quirks.totalResults === 'page' ? resources.length : quirks.totalResults === 'counts-deleted' && !query.filter ? matched.length + deleted : matched.length;
  return listResponse(resources, total, quirks.startIndex === 'ignored' ? 1 : query.startIndex);
}

export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** Reads a POST /.search body into list parameters. */
export function searchParams(body: unknown): ListParams {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ScimError(400, 'SearchRequest body must be a JSON object', 'invalidSyntax');
  }
  const record = body as Record<string, unknown>;
  const schemas = record['schemas'];
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SEARCH_REQUEST.toLowerCase())) {
    throw new ScimError(400, `'schemas' must include ${SEARCH_REQUEST}`, 'invalidSyntax');
  }
  const { filter, startIndex, count, attributes, excludedAttributes } = record;
  return { filter, startIndex, count, attributes, excludedAttributes };
}

/**
 * The filters connectors send most, `userName eq "x"` and `id eq "x"`, can be answered from an
 * index: this says which attribute (lowercase) and value, or undefined for any other filter.
 */
export function eqLookup(filter: Filter, coreSchema: string): { attribute: string; value: string } | undefined {
  if (filter.kind !== 'compare' || filter.op !== 'eq' || typeof filter.value !== 'string') return undefined;
  const { schema, attribute, subAttribute } = filter.path;
  if (subAttribute !== undefined || (schema !== undefined && schema.toLowerCase() !== coreSchema.toLowerCase())) return undefined;
  return { attribute: attribute.toLowerCase(), value: filter.value };
}

/**
 * For `<attr> eq "v"` on a single-valued top-level string attribute (externalId, displayName, …):
 * the resources whose stored value equals v ignoring case — a superset of the matches, cheap to
 * find without rendering every resource; matchesFilter still decides.
 */
export function prefilterEq(
  all: readonly StoredResource[],
  lookup: { attribute: string; value: string } | undefined,
  defs: readonly AttributeDef[],
): StoredResource[] | undefined {
  if (!lookup) return undefined;
  const def = findAttribute(defs, lookup.attribute);
  const name = lookup.attribute === 'externalid' ? 'externalId' : def && def.type === 'string' && !def.multiValued ? def.name : undefined;
  if (!name) return undefined;
  const wanted = lookup.value.toLowerCase();
  return all.filter((r) => {
    const value = r.attrs[name];
    return typeof value === 'string' && value.toLowerCase() === wanted;
  });
}
