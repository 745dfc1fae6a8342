// RFC 7644 §3.4.2.5: `attributes` and `excludedAttributes` on a resource document.
import { splitAttributePath } from './attribute-path.ts';
import { ScimError } from './errors.ts';
import { cloneJson, isObject, type JsonObject } from './resource.ts';
import { resolveAttribute, type ResourceTypeDefinition } from './resource-schemas.ts';

interface Pick {
  container: string | undefined;
  name: string;
  sub: string | undefined;
}

/** Parses a comma-separated attribute list; 400 invalidValue for a path the resource type lacks. */
export function readAttributeList(text: string | undefined, type: ResourceTypeDefinition, parameter: string): Pick[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return text.split(',').map((raw) => {
    const item = raw.trim();
    const path = splitAttributePath(item);
    const resolved = typeof path === 'string' ? undefined : resolveAttribute(type, path);
    if (typeof path === 'string' || !resolved) throw new ScimError(400, `${parameter}: a ${type.name} has no attribute "${item}"`, 'invalidValue');
    return { container: resolved.extension, name: resolved.attribute.name, sub: resolved.sub?.name };
  });
}

/** The document with only the attributes asked for (plus id and schemas), or without the excluded ones. */
export function project(doc: JsonObject, attributes: Pick[] | undefined, excluded: Pick[] | undefined): JsonObject {
  if (attributes) {
    const out: JsonObject = { schemas: doc.schemas, id: doc.id };
    for (const pick of attributes) copy(doc, out, pick);
    return out;
  }
  if (!excluded) return doc;
  const out = cloneJson(doc);
  for (const pick of excluded) {
    if (pick.container === undefined && pick.name === 'id') continue;
    const holder = pick.container === undefined ? out : out[pick.container];
    if (!isObject(holder)) continue;
    if (pick.sub === undefined) delete holder[pick.name];
    else for (const element of Array.isArray(holder[pick.name]) ? (holder[pick.name] as unknown[]) : [holder[pick.name]]) if (isObject(element)) delete element[pick.sub];
    if (pick.container !== undefined && Object.keys(holder).length === 0) delete out[pick.container];
  }
  return out;
}

function copy(from: JsonObject, to: JsonObject, pick: Pick): void {
  const source = pick.container === undefined ? from : from[pick.container];
  if (!isObject(source) || source[pick.name] === undefined) return;
  let target = to;
  if (pick.container !== undefined) {
    target = isObject(to[pick.container]) ? (to[pick.container] as JsonObject) : {};
    to[pick.container] = target;
  }
  const value = source[pick.name];
  if (pick.sub === undefined) {
    target[pick.name] = value;
    return;
  }
  const sub = pick.sub;
  if (Array.isArray(value)) {
    const had: JsonObject[] = Array.isArray(target[pick.name]) ? (target[pick.name] as JsonObject[]) : value.map((): JsonObject => ({}));
    value.forEach((element, i) => {
      if (isObject(element) && element[sub] !== undefined && had[i]) had[i][sub] = element[sub];
    });
    target[pick.name] = had;
  } else if (isObject(value) && value[sub] !== undefined) {
    target[pick.name] = { ...(isObject(target[pick.name]) ? (target[pick.name] as JsonObject) : {}), [sub]: value[sub] };
  }
}

/** Whether an attribute list names `members` (so a group's members need not be loaded). */
export function namesAttribute(list: Pick[] | undefined, name: string): boolean {
  return list?.some((p) => p.container === undefined && p.name === name) ?? false;
}
