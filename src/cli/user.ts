import type { Command } from 'commander';
import { recordAudit } from '../audit/trail.ts';
import { roles } from '../auth/identity.ts';
import { countOperators, createOperator, getOperator, listOperators, roleOrThrow, setOperatorDisabled, setOperatorPassword, setOperatorRole, usernameOrThrow, type Operator } from '../auth/operators.ts';
import { RosterError } from '../errors.ts';
import type { Queryable } from '../store/database.ts';
import { withContext, type GlobalOptions } from './context.ts';
import { requireIdentity } from './identity.ts';
import { readPassword } from './prompt.ts';

async function enabledAdminsBesides(db: Queryable, username: string): Promise<number> {
  const [row] = await db.query<{ n: number }>("select count(*)::int as n from operators where role = 'admin' and disabled_at is null and username <> $1", [username]);
  return row?.n ?? 0;
}

async function keepAnAdmin(db: Queryable, target: Operator): Promise<void> {
  if (target.role === 'admin' && !target.disabled && (await enabledAdminsBesides(db, target.username)) === 0) {
    throw new RosterError('input_invalid', `${target.username} is the last enabled admin; make another admin first`);
  }
}

const summary = (o: Operator) => `${o.username} (${o.role}${o.disabled ? ', disabled' : ''}${o.hasPassword ? '' : ', no password'}${o.oidcSubject ? ', linked to OIDC' : ''})`;

export function registerUser(program: Command): void {
  const user = program.command('user').description('operator accounts: who may sign in, with which role (admin only; the very first account needs no sign-in and is an admin)');
  user
    .command('add <username>')
    .description('add an account')
    .requiredOption('--role <role>', roles.join(' | '))
    .option('--email <address>', 'the email OIDC sign-in matches on the first time')
    .option('--password-stdin', 'read its password from stdin (else a prompt on a terminal; else no password: OIDC sign-in only)')
    .action(async (username: string, options: { role: string; email?: string; passwordStdin?: boolean }, command: Command) => {
      const name = usernameOrThrow(username);
      const role = roleOrThrow(options.role);
      const password = await readPassword({ stdin: options.passwordStdin, question: `password for ${name}: ` });
      await withContext(command.optsWithGlobals<GlobalOptions>(), async (context) => {
        const { db } = context;
        if ((await countOperators(db)) === 0) {
          if (role !== 'admin') throw new RosterError('input_invalid', `there are no accounts yet: the first must be an admin (roster user add ${name} --role admin)`);
          const first = await createOperator(db, { username: name, role, password, email: options.email, createdBy: 'system:bootstrap' }, { bootstrap: true });
          if (first) {
            await recordAudit(db, { actor: 'system:bootstrap', action: 'user.created', target: `operator:${first.username}`, detail: { role: first.role, bootstrap: true } });
            console.log(`first account: ${summary(first)} is an admin, made without sign-in because there were no accounts; every later account needs an admin. Next: roster login --username ${first.username}`);
            return;
          }
        }
        const identity = await requireIdentity(context, 'admin');
        const made = await createOperator(db, { username: name, role, password, email: options.email, createdBy: identity.actor });
        if (!made) throw new Error('account not saved');
        await recordAudit(db, { actor: identity.actor, action: 'user.created', target: `operator:${made.username}`, detail: { role: made.role, password: made.hasPassword ? 'set' : 'none' } });
        console.log(`added ${summary(made)}`);
      });
    });
  user
    .command('list')
    .description('accounts, with their roles')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withContext(command.optsWithGlobals<GlobalOptions>(), async (context) => {
        await requireIdentity(context, 'admin');
        const all = await listOperators(context.db);
        if (options.json) console.log(JSON.stringify(all, null, 2));
        else if (all.length === 0) console.log('no accounts; roster user add <username> --role admin makes the first');
        else for (const o of all) console.log(summary(o));
      });
    });
  user
    .command('set-role <username> <role>')
    .description('change an account’s role (counts from its next request)')
    .action(async (username: string, role: string, _options: unknown, command: Command) => {
      const name = usernameOrThrow(username);
      const next = roleOrThrow(role);
      await withContext(command.optsWithGlobals<GlobalOptions>(), async (context) => {
        const identity = await requireIdentity(context, 'admin');
        const target = await getOperator(context.db, name);
        if (!target) throw new RosterError('not_found', `no account named ${name}; roster user list shows them`);
        if (next !== 'admin') await keepAnAdmin(context.db, target);
        const changed = await setOperatorRole(context.db, name, next);
        await recordAudit(context.db, { actor: identity.actor, action: 'user.role_changed', target: `operator:${name}`, detail: { from: target.role, to: next } });
        console.log(`${summary(changed)}`);
      });
    });
  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    user
      .command(`${verb} <username>`)
      .description(disabled ? 'stop an account signing in; its sessions end at once' : 'let a disabled account sign in again')
      .action(async (username: string, _options: unknown, command: Command) => {
        const name = usernameOrThrow(username);
        await withContext(command.optsWithGlobals<GlobalOptions>(), async (context) => {
          const identity = await requireIdentity(context, 'admin');
          const target = await getOperator(context.db, name);
          if (!target) throw new RosterError('not_found', `no account named ${name}; roster user list shows them`);
          if (disabled) await keepAnAdmin(context.db, target);
          const changed = await setOperatorDisabled(context.db, name, disabled);
          await recordAudit(context.db, { actor: identity.actor, action: disabled ? 'user.disabled' : 'user.enabled', target: `operator:${name}` });
          console.log(summary(changed));
        });
      });
  }
  user
    .command('set-password <username>')
    .description('set an account’s password')
    .option('--password-stdin', 'read it from stdin (else a prompt on a terminal)')
    .action(async (username: string, options: { passwordStdin?: boolean }, command: Command) => {
      const name = usernameOrThrow(username);
      const password = await readPassword({ stdin: options.passwordStdin, question: `new password for ${name}: ` });
      if (password === undefined) throw new RosterError('input_invalid', 'no password: pipe it with --password-stdin or run on a terminal');
      await withContext(command.optsWithGlobals<GlobalOptions>(), async (context) => {
        const identity = await requireIdentity(context, 'admin');
        await setOperatorPassword(context.db, name, password);
        await recordAudit(context.db, { actor: identity.actor, action: 'user.password_set', target: `operator:${name}` });
        console.log(`password set for ${name}`);
      });
    });
}
