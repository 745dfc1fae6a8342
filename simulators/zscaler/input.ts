import type { StoredUser, ZiaState } from './state.ts';

/** An error answer: `{code, message}` (no code for the body-parse error, as the vendor does). */
export interface Problem {
  status: number;
  code?: string;
  message: string;
}

export const USER_TYPES = ['SUPERADMIN', 'ADMIN', 'AUDITOR', 'GUEST', 'REPORT_USER', 'UNAUTH_TRAFFIC_DEFAULT'];
export const AUTH_METHODS = ['BASIC', 'DIGEST'];
const EMAIL = /^[^@\s]+@([^@\s]+\.[^@\s]+)$/;

export function invalid(message: string): Problem {
  return { status: 400, code: 'INVALID_INPUT_ARGUMENT', message };
}

export function isProblem(x: unknown): x is Problem {
  return typeof x === 'object' && x !== null && 'status' in x && 'message' in x && !('id' in x);
}

/** ZIA's password policy for hosted-DB users: 8-100 characters with a letter, a digit and a symbol. */
export function passwordProblem(pw: string): Problem | null {
  if (pw.length < 8 || pw.length > 100 || !/[A-Za-z]/.test(pw) || !/\d/.test(pw) || !/[^A-Za-z0-9]/.test(pw)) {
    return invalid('Password does not meet the password policy');
  }
  return null;
}

/**
 * Builds the stored user a `POST /users` (mode `create`) or `PUT /users/{id}` (mode `replace`)
 * asks for. A replace is total: every field left out is reset to empty, except the write-only
 * password, which is kept. Uniqueness of the email is the caller's check.
 */
export interface WriteRules {
  /** A PUT that changes the email: `ignore` keeps the old one (read-only, no word said), `refuse` answers 400. */
  emailOnPut: 'ignore' | 'refuse';
  /** `disabled` in a write: `honour` stores it, `ignore` stores false (a tenant without soft-delete). */
  disabledField: 'honour' | 'ignore';
}

export const NAME_MAX = 127;

export function userFromBody(
  body: Record<string, unknown>,
  state: ZiaState,
  mode: 'create' | 'replace',
  existing?: StoredUser,
  rules: WriteRules = { emailOnPut: 'ignore', disabledField: 'honour' },
): StoredUser | Problem {
  const { name, password, groups, department, comments, tempAuthEmail, adminUser, disabled, type, authMethods } = body;
  let { email } = body;

  if (typeof name !== 'string' || name.trim() === '') return invalid('name is required');
  if ([...name].length > NAME_MAX) return invalid(`name must be at most ${NAME_MAX} characters`);
  if (mode === 'replace' && existing && typeof email === 'string' && email.toLowerCase() !== existing.email.toLowerCase()) {
    if (rules.emailOnPut === 'refuse') return invalid('email cannot be changed');
    email = existing.email;
  }
  if (typeof email !== 'string' || email === '') return invalid('email is required');
  const m = EMAIL.exec(email);
  if (!m || email.length > 127) return invalid(`Invalid email address: ${email}`);
  if (!state.domains.has((m[1] as string).toLowerCase())) {
    return invalid(`The domain of email ${email} is not a registered domain for this organization`);
  }

  let pw = existing?.password;
  if (mode === 'create' && password === undefined) return invalid('password is required');
  if (password !== undefined) {
    if (typeof password !== 'string') return invalid('password must be a string');
    const p = passwordProblem(password);
    if (p) return p;
    pw = password;
  }

  const groupIds: number[] = [];
  if (mode === 'create' && groups === undefined) return invalid('groups is required');
  if (groups !== undefined && groups !== null) {
    if (!Array.isArray(groups)) return invalid('groups must be an array');
    for (const g of groups as unknown[]) {
      const id = refId(g);
      if (id === null) return invalid('each group must be given as {"id": <number>}');
      if (!state.groups.has(id)) return invalid(`Group with id ${id} does not exist`);
      if (!groupIds.includes(id)) groupIds.push(id);
    }
  }

  let departmentId: number | undefined;
  if (mode === 'create' && department === undefined) return invalid('department is required');
  if (department !== undefined && department !== null) {
    const id = refId(department);
    if (id === null) return invalid('department must be given as {"id": <number>}');
    if (!state.departments.has(id)) return invalid(`Department with id ${id} does not exist`);
    departmentId = id;
  }

  if (comments !== undefined && comments !== null && (typeof comments !== 'string' || comments.length > 10240)) {
    return invalid('comments must be a string of at most 10240 characters');
  }
  if (tempAuthEmail !== undefined && tempAuthEmail !== null && tempAuthEmail !== '') {
    if (typeof tempAuthEmail !== 'string' || !EMAIL.test(tempAuthEmail)) return invalid('tempAuthEmail is not a valid email');
  }
  if (adminUser !== undefined && typeof adminUser !== 'boolean') return invalid('adminUser must be a boolean');
  if (disabled !== undefined && typeof disabled !== 'boolean') return invalid('disabled must be a boolean');
  if (type !== undefined && type !== null && (typeof type !== 'string' || !USER_TYPES.includes(type))) {
    return invalid(`type must be one of ${USER_TYPES.join(', ')}`);
  }
  let methods: string[] = [];
  if (authMethods !== undefined && authMethods !== null) {
    if (!Array.isArray(authMethods) || !authMethods.every((a) => typeof a === 'string' && AUTH_METHODS.includes(a))) {
      return invalid(`authMethods must be a list of ${AUTH_METHODS.join(', ')}`);
    }
    methods = [...new Set(authMethods as string[])];
  }

  const user: StoredUser = {
    id: existing?.id ?? state.nextId(),
    name,
    email,
    groupIds,
    adminUser: adminUser ?? false,
    authMethods: methods,
    isNonEditable: false,
    disabled: rules.disabledField === 'honour' ? (disabled ?? false) : false,
  };
  if (departmentId !== undefined) user.departmentId = departmentId;
  if (typeof comments === 'string' && comments !== '') user.comments = comments;
  if (typeof tempAuthEmail === 'string' && tempAuthEmail !== '') user.tempAuthEmail = tempAuthEmail;
  if (typeof type === 'string') user.type = type;
  if (pw !== undefined) user.password = pw;
  return user;
}

function refId(x: unknown): number | null {
  if (typeof x !== 'object' || x === null) return null;
  const id = (x as { id?: unknown }).id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : null;
}
