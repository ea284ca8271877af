// The `magic` (passwordless) and `email_mfa` (password, then a link) methods, with two providers: WorkOS
// passwordless sessions, or the library's own tokens (no WorkOS). See docs/magic-link.md.
import type { Context, MethodModule, MethodRegistry } from '../context.ts';
import { ConfigError } from '../errors.ts';
import { MagicLinkCallback } from './callback.ts';
import { localProvider } from './local.ts';
import { MagicLinkRequests } from './request.ts';
import { magicLinkRoutes } from './routes.ts';
import { MagicLinkSender } from './send.ts';
import { MagicLinkTokens } from './tokens.ts';
import { workosProvider } from './workos.ts';

/** `methods` gives the assembled registry at request time (a magic user with an MFA factor is handed to `mfa`). */
export function magicLinkModule(ctx: Context, methods: () => MethodRegistry = () => ({})): MethodModule {
  const tokens = MagicLinkTokens.supported(ctx.prisma) ? new MagicLinkTokens(ctx.prisma, ctx.now) : null;
  if (ctx.config.magicLink.provider === 'local' && !tokens) {
    const issue = 'magicLink.provider: "local" needs the MagicLinkToken model from prisma/workos-login.prisma in your Prisma schema';
    throw new ConfigError(`express-workos-login: invalid config:\n  - ${issue}`, [issue]);
  }
  const provider = ctx.config.magicLink.provider === 'workos' ? workosProvider(ctx) : localProvider(ctx, tokens!);
  const requests = new MagicLinkRequests(ctx, new MagicLinkSender(ctx, provider));
  const callback = new MagicLinkCallback(ctx, tokens);
  return {
    routes: magicLinkRoutes(ctx, requests, callback, methods),
    handlers: {
      magic: { start: (attempt, res) => requests.start(attempt, res) },
      email_mfa: { afterPassword: (attempt, res) => requests.afterPassword(attempt, res) },
    },
  };
}
