// `express-workos-login users …`: what support does for one person, in the host's database, through `login.users`:
// show them, reset their MFA, unlink an SSO identity, end their sessions, deactivate or reactivate them.
import type { PublicUser } from '../events.ts';
import { NotFoundError } from '../errors.ts';
import { guarded, parse, subcommand, UsageError, withLogin, type RunContext } from './shared.ts';
import type { CommandIo } from './io.ts';

const SUMMARY = `Usage: express-workos-login users <command> <username> [options]

Commands:
  show <username>                          factors, SSO identities, the rule that applies
  reset-mfa <username>                     remove MFA factors (here and at WorkOS) and recovery codes, end sessions
  unlink-sso <username> <connection|org>   unlink the user's SSO identities of a connection or organization
  end-sessions <username>                  end every session of the user
  deactivate <username>                    isActive = false, every session ended
  reactivate <username>                    isActive = true

<username> is a username, or an email address that only one user has (inactive users too).
Run "express-workos-login users <command> --help" for a command's options.`;

const HELP: Record<string, string> = {
  show: 'Usage: express-workos-login users show <username> [--json]\n\nThe user, their MFA factors (never a secret), SSO identities and the rule that applies.',
  'reset-mfa': 'Usage: express-workos-login users reset-mfa <username> [--json]\n\nRemoves the user\'s MFA factors (here, and at WorkOS when WORKOS_API_KEY is set) and recovery codes,\nand ends their sessions; they enroll again at their next login if their rule asks for MFA.',
  'unlink-sso': 'Usage: express-workos-login users unlink-sso <username> <connection|org> [--json]\n\nUnlinks the user\'s SSO identities of a WorkOS connection or organization (its id, or a scope such as\norg:org_123). Their next SSO login links again, or is refused, as for a new identity.',
  'end-sessions': 'Usage: express-workos-login users end-sessions <username> [--json]\n\nEvery session of the user ends at its next request.',
  deactivate: 'Usage: express-workos-login users deactivate <username> [--json]\n\nisActive = false and every session ended.',
  reactivate: 'Usage: express-workos-login users reactivate <username> [--json]\n\nisActive = true (sessions ended earlier stay ended).',
};

type Handler = (ctx: RunContext, user: PublicUser, rest: string[]) => Promise<number>;

const done = (ctx: RunContext, value: unknown, line: string): number => {
  ctx.io.out(ctx.json ? JSON.stringify(value, null, 2) : line);
  return 0;
};

const COMMANDS: Record<string, Handler> = {
  async show(ctx, user) {
    const d = await ctx.api.users.get(user.id);
    if (ctx.json) return done(ctx, d, '');
    const lines = [
      `User #${d.user.id} ${d.user.username} <${d.user.email}>${d.user.isActive ? '' : ' (inactive)'}`,
      `  rule: ${d.rule ? `"${d.rule.name}" (${d.rule.method}): ` : ''}${d.reason}`,
      `  MFA factors: ${d.factors.length ? d.factors.map((f) => `${f.type}${f.phoneHint ? ` ${f.phoneHint}` : ''} #${f.id}`).join(', ') : 'none'}; ${d.recoveryCodesLeft} recovery code(s) left`,
      `  SSO identities: ${d.identities.length ? d.identities.map((i) => `${i.scope} (${i.idpId})`).join(', ') : 'none'}`,
    ];
    for (const line of lines) ctx.io.out(line);
    return 0;
  },

  async 'reset-mfa'(ctx, user) {
    const result = await ctx.api.users.resetMfa(user.id, { actor: ctx.actor });
    if (result.workosDeleteFailures) ctx.io.err(`warning: WorkOS could not delete ${result.workosDeleteFailures} factor(s); they no longer work here`);
    return done(ctx, result, `Reset MFA of ${user.username}: ${result.factorsRemoved} factor(s) and ${result.recoveryCodesRemoved} recovery code(s) removed, sessions ended.`);
  },

  async 'unlink-sso'(ctx, user, [key = '']) {
    const removed = await ctx.api.users.unlinkSso(user.id, key, { actor: ctx.actor });
    if (removed.length === 0) {
      if (ctx.json) ctx.io.out(JSON.stringify({ error: { code: 'target_not_found', message: `${user.username} has no SSO identity of ${key}` } }, null, 2));
      ctx.io.err(`error: ${user.username} has no SSO identity of ${key}`);
      return 1;
    }
    return done(ctx, { removed }, `Unlinked ${removed.length} SSO identity(ies) of ${user.username}: ${removed.map((i) => `${i.scope} (${i.idpId})`).join(', ')}.`);
  },

  async 'end-sessions'(ctx, user) {
    await ctx.api.users.endSessions(user.id, { actor: ctx.actor });
    return done(ctx, { ended: true }, `Every session of ${user.username} ends at its next request.`);
  },

  async deactivate(ctx, user) {
    await ctx.api.users.deactivate(user.id, { actor: ctx.actor });
    return done(ctx, { deactivated: true }, `Deactivated ${user.username}; their sessions ended.`);
  },

  async reactivate(ctx, user) {
    await ctx.api.users.reactivate(user.id, { actor: ctx.actor });
    return done(ctx, { reactivated: true }, `Reactivated ${user.username}.`);
  },
};

/** The `users` commands (for the docs' test). */
export const USERS_COMMANDS: readonly string[] = Object.keys(HELP);

export async function runUsersCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const found = subcommand('users', argv, HELP, SUMMARY, io);
  if (typeof found === 'number') return found;
  const { sub, rest, usage } = found;
  return guarded(io, rest.includes('--json'), usage, async () => {
    const { values, positionals } = parse(rest, {});
    if (values.help) {
      io.out(usage);
      return 0;
    }
    const [name, ...more] = positionals;
    if (!name) throw new UsageError('missing the username');
    if (sub === 'unlink-sso' && more.length === 0) throw new UsageError('missing the connection or organization id');
    if (more.length > (sub === 'unlink-sso' ? 1 : 0)) throw new UsageError(`unexpected argument "${more[sub === 'unlink-sso' ? 1 : 0]}"`);
    return withLogin(values, io, async (ctx) => {
      const user = await ctx.api.users.find(name);
      if (!user) throw new NotFoundError('user', name);
      return COMMANDS[sub]!(ctx, user, more);
    });
  });
}
