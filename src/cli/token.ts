import type { Command } from 'commander';
import { recordAudit } from '../audit/trail.ts';
import { roles, type Role } from '../auth/identity.ts';
import { createToken, listTokens, revokeToken, tokenKinds, tokenNameProblem, type TokenKind } from '../auth/tokens.ts';
import { RosterError } from '../errors.ts';
import { isUniqueViolation } from '../store/directory.ts';
import { withContext, type GlobalOptions } from './context.ts';
import { requireIdentity } from './identity.ts';

const advice: Record<TokenKind, string> = {
  scim: 'Paste it into the IdP as the secret token',
  api: 'Send it as Authorization: Bearer <token>, or set ROSTER_TOKEN for the CLI',
  agent: 'Give it to the MCP agent as its bearer token',
};

export function registerToken(program: Command): void {
  const token = program.command('token').description('tokens, stored hashed and shown once: SCIM push tokens for Entra ID and Okta, API tokens with a role, MCP agent tokens (admin only)');
  token
    .command('create <name>')
    .description('make a token; its value is printed once and never again')
    .option('--kind <kind>', `${tokenKinds.join(' | ')} (default scim: a SCIM push token for an IdP)`, 'scim')
    .option('--role <role>', `api and agent tokens: ${roles.join(' | ')} (an agent can at most read, plan and request)`)
    .action(async (name: string, options: { kind: string; role?: string }, command: Command) => {
      const nameProblem = tokenNameProblem(name);
      if (nameProblem) throw new RosterError('input_invalid', nameProblem);
      if (!(tokenKinds as readonly string[]).includes(options.kind)) throw new RosterError('input_invalid', `--kind is one of ${tokenKinds.join(', ')}; not ${JSON.stringify(options.kind)}`);
      const kind = options.kind as TokenKind;
      if (options.role !== undefined && !(roles as readonly string[]).includes(options.role)) throw new RosterError('input_invalid', `--role is one of ${roles.join(', ')}; not ${JSON.stringify(options.role)}`);
      const role = options.role as Role | undefined;
      await withContext(command.optsWithGlobals<GlobalOptions>(), async (context) => {
        const identity = await requireIdentity(context, 'admin');
        const made = await createToken(context.db, { name, kind, role, createdBy: identity.actor }).catch((error: unknown) => {
          if (isUniqueViolation(error)) throw new RosterError('input_invalid', `a live token named ${name} exists; revoke it first (roster token revoke ${name}) or pick another name`);
          throw error;
        });
        await recordAudit(context.db, { actor: identity.actor, action: 'token.created', target: made.token.id, detail: { name, kind, scope: made.token.scope } });
        console.error(`token ${made.token.id} (${name}), ${kind}${made.token.role ? ` as ${made.token.role}` : ''}, scope ${made.token.scope}. ${advice[kind]}; roster shows it only now:`);
        console.log(made.value);
      });
    });
  token
    .command('list')
    .description('tokens, with when each was last used (never their values)')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withContext(command.optsWithGlobals<GlobalOptions>(), async ({ db }) => {
        const tokens = await listTokens(db);
        if (options.json) {
          console.log(JSON.stringify(tokens, null, 2));
          return;
        }
        if (tokens.length === 0) {
          console.log('no tokens; make one with roster token create <name>');
          return;
        }
        const day = (d: Date | null) => (d ? d.toISOString().slice(0, 19).replace('T', ' ') : '-');
        console.log(['id'.padEnd(12), 'name'.padEnd(20), 'kind'.padEnd(5), 'scope'.padEnd(14), 'created'.padEnd(19), 'last used'.padEnd(19), 'status'].join('  '));
        for (const t of tokens) console.log([t.id.padEnd(12), t.name.padEnd(20), t.kind.padEnd(5), t.scope.padEnd(14), day(t.createdAt), day(t.lastUsedAt).padEnd(19), t.revokedAt ? `revoked ${day(t.revokedAt)}` : 'live'].join('  '));
      });
    });
  token
    .command('revoke <name-or-id>')
    .description('revoke a token at once (API and agent tokens: from the next request; SCIM push tokens: within 5 s on a running roster serve)')
    .action(async (nameOrId: string, _options: unknown, command: Command) => {
      await withContext(command.optsWithGlobals<GlobalOptions>(), async (context) => {
        const identity = await requireIdentity(context, 'admin');
        const revoked = await revokeToken(context.db, nameOrId);
        if (!revoked) throw new RosterError('input_invalid', `no live token named or numbered ${nameOrId}; roster token list shows them`);
        await recordAudit(context.db, { actor: identity.actor, action: 'token.revoked', target: revoked.id, detail: { name: revoked.name, kind: revoked.kind } });
        console.log(`revoked token ${revoked.id} (${revoked.name})`);
      });
    });
}
