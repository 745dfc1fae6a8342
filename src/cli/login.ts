import type { Command } from 'commander';
import { recordAudit } from '../audit/trail.ts';
import { revokeSession } from '../auth/sessions.ts';
import { signIn } from '../auth/sign-in.ts';
import { RosterError } from '../errors.ts';
import { withContext, type GlobalOptions } from './context.ts';
import { cliIdentity, readCredential, removeCredential, signInFirst, writeCredential } from './identity.ts';
import { promptLine, readPassword } from './prompt.ts';

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('sign in as an operator account; the session is kept in the roster home (mode 0600) for later commands')
    .option('--username <name>', 'the account (prompted for on a terminal)')
    .option('--password-stdin', 'read the password from stdin (else $ROSTER_PASSWORD, else a prompt on a terminal)')
    .action(async (options: { username?: string; passwordStdin?: boolean }, command: Command) => {
      const username = options.username ?? (process.stdin.isTTY ? await promptLine('username: ') : undefined);
      if (!username) throw new RosterError('input_invalid', 'give the account: roster login --username <name>');
      const password = await readPassword({ stdin: options.passwordStdin, env: true, question: 'password: ' });
      if (password === undefined) throw new RosterError('input_invalid', 'no password: pipe it with --password-stdin, set ROSTER_PASSWORD, or run on a terminal');
      await withContext(command.optsWithGlobals<GlobalOptions>(), async ({ db, home }) => {
        const result = await signIn(db, { username, password, kind: 'cli', now: new Date() });
        if (!result.ok) throw new RosterError('forbidden', result.message);
        const previous = readCredential(home);
        if (previous) await revokeSession(db, previous);
        writeCredential(home, result.session.value);
        console.log(`signed in as ${result.identity.actor} (${result.identity.role}) until ${result.session.expiresAt.toISOString()}; roster logout ends it`);
      });
    });

  program
    .command('logout')
    .description('end the CLI session kept in the roster home')
    .action(async (_options: unknown, command: Command) => {
      await withContext(command.optsWithGlobals<GlobalOptions>(), async ({ db, home }) => {
        const value = readCredential(home);
        if (!value) {
          console.log('not signed in');
          return;
        }
        const found = await cliIdentity(db, home).catch(() => undefined);
        const ended = await revokeSession(db, value);
        removeCredential(home);
        if (ended && found?.via === 'session') await recordAudit(db, { actor: found.identity.actor, action: 'auth.signed_out', target: found.identity.actor, detail: { via: 'cli' } });
        console.log(ended ? 'signed out' : 'signed out (the session had already ended)');
      });
    });

  program
    .command('whoami')
    .description('who later commands run as: the signed-in account, or ROSTER_TOKEN')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withContext(command.optsWithGlobals<GlobalOptions>(), async ({ db, home }) => {
        const found = await cliIdentity(db, home);
        if (!found) throw new RosterError('forbidden', `not signed in; ${signInFirst}`);
        const { identity } = found;
        if (options.json) {
          console.log(JSON.stringify({ kind: identity.kind, actor: identity.actor, role: identity.role, via: found.via, ...(found.via === 'session' ? { expiresAt: found.session.expiresAt } : {}) }, null, 2));
          return;
        }
        const until = found.via === 'session' ? `, signed in until ${found.session.expiresAt.toISOString()}` : ', from ROSTER_TOKEN';
        console.log(`${identity.actor} (${identity.kind === 'agent' ? 'agent' : identity.role}${until})`);
      });
    });
}
