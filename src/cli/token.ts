import type { Command } from 'commander';
import { recordAudit } from '../audit/trail.ts';
import { RosterError } from '../errors.ts';
import { isUniqueViolation } from '../store/directory.ts';
import { createScimToken, listScimTokens, revokeScimToken } from '../store/scim-tokens.ts';
import { actorFromEnvironment, withContext, type GlobalOptions } from './context.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function registerToken(program: Command): void {
  const token = program.command('token').description('SCIM push tokens for Entra ID and Okta (stored hashed, shown once)');
  token
    .command('create <name>')
    .description('make a SCIM push token; its value is printed once and never again')
    .action(async (name: string, _options: unknown, command: Command) => {
      if (!NAME.test(name)) throw new RosterError('input_invalid', `token names are letters, digits, ., _ and - (up to 64), such as entra-prod; not ${JSON.stringify(name)}`);
      await withContext(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        const actor = actorFromEnvironment();
        const made = await createScimToken(db, name, actor).catch((error: unknown) => {
          if (isUniqueViolation(error)) throw new RosterError('input_invalid', `a live token named ${name} exists; revoke it first (roster token revoke ${name}) or pick another name`);
          throw error;
        });
        await recordAudit(db, { actor, action: 'token.created', target: made.token.id, detail: { name, scope: made.token.scope } });
        console.error(`token ${made.token.id} (${name}), scope ${made.token.scope}. Paste it into the IdP as the secret token; roster shows it only now:`);
        console.log(made.value);
      });
    });
  token
    .command('list')
    .description('tokens, with when each was last used (never their values)')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withContext(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        const tokens = await listScimTokens(db);
        if (options.json) {
          console.log(JSON.stringify(tokens, null, 2));
          return;
        }
        if (tokens.length === 0) {
          console.log('no tokens; make one with roster token create <name>');
          return;
        }
        const day = (d: Date | null) => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '-');
        console.log(['id'.padEnd(12), 'name'.padEnd(20), 'scope'.padEnd(10), 'created'.padEnd(19), 'last used'.padEnd(19), 'status'].join('  '));
        for (const t of tokens) console.log([t.id.padEnd(12), t.name.padEnd(20), t.scope.padEnd(10), day(t.createdAt), day(t.lastUsedAt).padEnd(19), t.revokedAt ? `revoked ${day(t.revokedAt)}` : 'live'].join('  '));
      });
    });
  token
    .command('revoke <name-or-id>')
    .description('revoke a token at once (a running roster serve stops accepting it within 5 s)')
    .action(async (nameOrId: string, _options: unknown, command: Command) => {
      await withContext(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        const revoked = await revokeScimToken(db, nameOrId);
        if (!revoked) throw new RosterError('input_invalid', `no live token named or numbered ${nameOrId}; roster token list shows them`);
        await recordAudit(db, { actor: actorFromEnvironment(), action: 'token.revoked', target: revoked.id, detail: { name: revoked.name } });
        console.log(`revoked token ${revoked.id} (${revoked.name})`);
      });
    });
}
