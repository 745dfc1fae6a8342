import type { Hono } from 'hono';
import type { ZiaState, StoredUser } from './state.ts';
import { invalid, isProblem, userFromBody, type Problem, type WriteRules } from './input.ts';
import { contains, notFound, paginate, problem, readJson, type PagingOptions, type ZiaContext, type ZiaEnv } from './http.ts';

const EDIT_LOCK: Problem = {
  status: 409,
  code: 'EDIT_LOCK_NOT_AVAILABLE',
  message: 'Edit lock is not available. Another change or an activation is in progress; please retry.',
};
const NOT_EDITABLE: Problem = {
  status: 403,
  code: 'SCOPE_LIMITED',
  message: 'This user is managed by an identity provider and cannot be changed here',
};
const ADMIN_NOT_DELETABLE: Problem = {
  status: 400,
  code: 'INVALID_INPUT_ARGUMENT',
  message: 'Admin users cannot be deleted. Remove the admin role first',
};
export const BULK_DELETE_MAX = 500;

export interface RouteRules extends WriteRules {
  search: 'ignore' | 'filter';
}

/** Users, groups, departments and activation status: the same routes on both prefixes. */
export function directoryRoutes(api: Hono<ZiaEnv>, state: ZiaState, paging: PagingOptions, rules: RouteRules = { search: 'ignore', emailOnPut: 'ignore', disabledField: 'honour' }): void {
  const search = (c: ZiaContext) => (rules.search === 'filter' ? c.req.query('search') : undefined);
  const list = <T>(c: ZiaContext, items: T[]) => {
    const page = paginate(c, items, paging);
    return isProblem(page) ? problem(c, page) : c.json(page);
  };

  api.get('/users', (c) => {
    const q = (k: string) => c.req.query(k);
    const [name, dept, group, term] = [q('name'), q('dept'), q('group'), search(c)];
    const matches = [...state.draft.values()]
      .sort((a, b) => a.id - b.id)
      .filter(
        (u) =>
          contains(u.name, name) &&
          (!dept || contains(state.departments.get(u.departmentId ?? -1)?.name, dept)) &&
          (!group || u.groupIds.some((id) => contains(state.groups.get(id)?.name, group))) &&
          (contains(u.name, term) || contains(u.email, term)),
      );
    const page = paginate(c, matches, paging);
    return isProblem(page) ? problem(c, page) : c.json(page.map((u) => state.render(u)));
  });

  api.get('/users/:id{[0-9]+}', (c) => {
    const u = state.draft.get(Number(c.req.param('id')));
    return u ? c.json(state.render(u)) : problem(c, notFound('User', c.req.param('id')));
  });

  api.post('/users', async (c) => {
    if (state.takeEditLockConflict()) return problem(c, EDIT_LOCK);
    const body = await readJson(c);
    if (isProblem(body)) return problem(c, body);
    const user = userFromBody(body, state, 'create', undefined, rules);
    if (isProblem(user)) return problem(c, user);
    if (state.findByEmail(user.email)) return problem(c, duplicate(user.email));
    state.stageUser(user);
    return c.json(state.render(user), 200);
  });

  api.put('/users/:id{[0-9]+}', async (c) => {
    if (state.takeEditLockConflict()) return problem(c, EDIT_LOCK);
    const body = await readJson(c);
    if (isProblem(body)) return problem(c, body);
    const id = Number(c.req.param('id'));
    const existing = state.draft.get(id);
    if (!existing) return problem(c, notFound('User', id));
    if (existing.isNonEditable) return problem(c, NOT_EDITABLE);
    if (body['id'] === undefined) return problem(c, invalid('id is required in the body'));
    if (body['id'] !== id) return problem(c, invalid('id in the body does not match the id in the path'));
    const user = userFromBody(body, state, 'replace', existing, rules);
    if (isProblem(user)) return problem(c, user);
    const other = state.findByEmail(user.email);
    if (other && other.id !== id) return problem(c, duplicate(user.email));
    state.stageUser(user);
    return c.json(state.render(user), 200);
  });

  api.delete('/users/:id{[0-9]+}', (c) => {
    if (state.takeEditLockConflict()) return problem(c, EDIT_LOCK);
    const id = Number(c.req.param('id'));
    const existing = state.draft.get(id);
    if (!existing) return problem(c, notFound('User', id));
    if (existing.isNonEditable) return problem(c, NOT_EDITABLE);
    if (existing.adminUser) return problem(c, ADMIN_NOT_DELETABLE);
    state.stageDelete([id]);
    return c.body(null, 204);
  });

  api.post('/users/bulkDelete', async (c) => {
    if (state.takeEditLockConflict()) return problem(c, EDIT_LOCK);
    const body = await readJson(c);
    if (isProblem(body)) return problem(c, body);
    const ids = body['ids'];
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((i) => Number.isSafeInteger(i) && (i as number) > 0)) {
      return problem(c, invalid('ids must be a non-empty list of user ids'));
    }
    if (ids.length > BULK_DELETE_MAX) return problem(c, invalid(`At most ${BULK_DELETE_MAX} users can be deleted at once`));
    const found = (ids as number[]).flatMap((i) => state.draft.get(i) ?? []);
    if (found.some((u: StoredUser) => u.isNonEditable)) return problem(c, NOT_EDITABLE);
    if (found.some((u: StoredUser) => u.adminUser)) return problem(c, ADMIN_NOT_DELETABLE);
    state.stageDelete(ids as number[]); // unknown ids are skipped without a word
    return c.body(null, 204);
  });

  api.get('/groups', (c) => {
    const groups = [...state.groups.values()].sort((a, b) => a.id - b.id).filter((g) => contains(g.name, search(c)));
    return list(c, groups);
  });
  api.get('/groups/:id{[0-9]+}', (c) => {
    const g = state.groups.get(Number(c.req.param('id')));
    return g ? c.json(g) : problem(c, notFound('Group', c.req.param('id')));
  });

  api.get('/departments', (c) => {
    const depts = [...state.departments.values()]
      .sort((a, b) => a.id - b.id)
      .filter((d) => contains(d.name, search(c)));
    return list(c, depts);
  });
  api.get('/departments/:id{[0-9]+}', (c) => {
    const d = state.departments.get(Number(c.req.param('id')));
    return d ? c.json(d) : problem(c, notFound('Department', c.req.param('id')));
  });

  api.get('/status', (c) => c.json({ status: state.status() }));
  api.post('/status/activate', (c) => {
    if (state.takeEditLockConflict()) return problem(c, EDIT_LOCK);
    return c.json({ status: state.activate() });
  });
}

function duplicate(email: string): Problem {
  return { status: 409, code: 'DUPLICATE_ITEM', message: `A user with email ${email} already exists` };
}
