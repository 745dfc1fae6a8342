// One PATCH operation on one attribute path, RFC 7644 §3.5.2 with the IdP deviations roster accepts.
import { ScimError } from './errors.ts';
import type { Filter } from './filter-ast.ts';
import { matchesElement } from './filter-match.ts';
import type { PatchPath } from './path.ts';
import type { PatchOpName } from './patch-request.ts';
import { resolveTarget, type PatchContext, type Target } from './patch-target.ts';
import { appendNew, elementFromFilter, isSingleValued, prepareValue, settlePrimary, subNames, withoutListed } from './patch-values.ts';
import { cloneJson, deleteKey, isObject, setKey, toList, type JsonObject } from './resource.ts';

export function applyAt(resource: JsonObject, op: PatchOpName, path: PatchPath, value: unknown, ctx: PatchContext): void {
  const target = resolveTarget(resource, path, op !== 'remove', ctx);
  if (target === undefined) return; // removing from an extension the resource does not have
  if (path.filter !== undefined) applyFiltered(target, op, path.filter, path.subAttribute, value, ctx);
  else if (path.subAttribute !== undefined) applySub(target, op, path.subAttribute, value, ctx);
  else applyWhole(target, op, value, ctx);
}

function applyWhole(target: Target, op: PatchOpName, value: unknown, ctx: PatchContext): void {
  const { container, key } = target;
  const existing = container[key];
  if (op === 'remove') {
    // Entra removes members with `value: [{value: id}]`: remove only those, never the whole list.
    if (Array.isArray(existing) && value !== undefined && value !== null) {
      setOrDelete(container, key, withoutListed(existing, toList(value)));
    } else {
      delete container[key];
    }
    return;
  }
  const incoming = prepareValue(target.names, value, ctx);
  if (existing === undefined || existing === null || isSingleValued(target.names, ctx)) {
    container[key] = incoming;
  } else if (Array.isArray(existing)) {
    if (op === 'replace') {
      container[key] = Array.isArray(incoming) ? incoming : [incoming];
    } else {
      settlePrimary(existing, appendNew(existing, toList(incoming)));
    }
  } else if (isObject(existing) && isObject(incoming)) {
    // Complex attribute: the sub-attributes sent replace theirs; the others stay (RFC 7644 §3.5.2.1, .3).
    for (const [sub, item] of Object.entries(incoming)) setKey(existing, sub, item);
  } else {
    container[key] = incoming;
  }
}

function applySub(target: Target, op: PatchOpName, sub: string, value: unknown, ctx: PatchContext): void {
  const { container, key } = target;
  const parent = container[key];
  if (op === 'remove') {
    for (const element of toList(parent)) if (isObject(element)) deleteKey(element, sub);
    return;
  }
  const incoming = prepareValue(subNames(target.names, sub), value, ctx);
  if (parent === undefined || parent === null) {
    container[key] = { [sub]: incoming };
  } else if (isObject(parent)) {
    setKey(parent, sub, incoming);
  } else if (Array.isArray(parent) && parent.length > 0 && parent.every(isObject)) {
    for (const element of parent) setKey(element, sub, cloneJson(incoming));
  } else {
    throw new ScimError(400, `"${key}" has no sub-attribute "${sub}" to ${op}`, 'noTarget');
  }
}

function applyFiltered(target: Target, op: PatchOpName, filter: Filter, sub: string | undefined, value: unknown, ctx: PatchContext): void {
  const { container, key } = target;
  const existing = container[key];
  const list = Array.isArray(existing) ? existing : [];
  const parentKey = target.names[0] ?? key.toLowerCase();
  const matches = list.filter((el) => isObject(el) && matchesElement(el, filter, parentKey, ctx.caseExact)) as JsonObject[];

  if (op === 'remove') {
    if (sub !== undefined) for (const element of matches) deleteKey(element, sub);
    else if (matches.length > 0) setOrDelete(container, key, list.filter((el) => !matches.includes(el as JsonObject)));
    return;
  }

  if (matches.length === 0) {
    // Entra adds a work email as `replace emails[type eq "work"].value`: create the element the filter describes.
    const template = sub === undefined ? undefined : elementFromFilter(filter);
    if (sub === undefined || template === undefined || (existing !== undefined && existing !== null && !Array.isArray(existing))) {
      throw new ScimError(400, `no value of "${key}" matches the filter`, 'noTarget');
    }
    setKey(template, sub, prepareValue(subNames(target.names, sub), value, ctx));
    if (Array.isArray(existing)) existing.push(template);
    else container[key] = [template];
    settlePrimary(container[key], [template]);
    return;
  }

  if (sub !== undefined) {
    const incoming = prepareValue(subNames(target.names, sub), value, ctx);
    for (const element of matches) setKey(element, sub, cloneJson(incoming));
    settlePrimary(list, matches);
    return;
  }

  const incoming = prepareValue(target.names, value, ctx);
  if (!isObject(incoming)) {
    throw new ScimError(400, `"${op}" on "${key}[…]" needs an object value`, 'invalidValue');
  }
  const changed: JsonObject[] = [];
  for (const element of matches) {
    if (op === 'replace') {
      const fresh = cloneJson(incoming);
      list[list.indexOf(element)] = fresh;
      changed.push(fresh);
    } else {
      for (const [name, item] of Object.entries(incoming)) setKey(element, name, cloneJson(item));
      changed.push(element);
    }
  }
  settlePrimary(list, changed);
}

/** RFC 7643 §2.5: a multi-valued attribute with no values left is unassigned. */
function setOrDelete(container: JsonObject, key: string, list: unknown[]): void {
  if (list.length > 0) container[key] = list;
  else delete container[key];
}
