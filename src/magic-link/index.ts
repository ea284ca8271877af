// The `magic` (passwordless) and `email_mfa` (password, then a link or code) methods, with three providers: WorkOS
// Magic Auth codes, WorkOS passwordless sessions, or the library's own tokens (no WorkOS). See docs/magic-links.md.
import { Router } from 'express';
import { defineMethod } from '../contract.ts';
import { requireMagicLinkTokens } from '../db/index.ts';
import { MagicLinkCallback } from './callback.ts';
import { magicCodeRoutes } from './code.ts';
import { magicLinkConfigSchema } from './config.ts';
import { localProvider } from './local.ts';
import { magicAuthProvider } from './magic-auth.ts';
import { MAGIC_LINK_FAIL_REASONS, MAGIC_LINK_MESSAGES } from './messages.ts';
import { MagicLinkRequests, pages } from './request.ts';
import { magicLinkRoutes } from './routes.ts';
import { MAGIC_LINK_RULES } from './rule.ts';
import { MagicLinkSender } from './send.ts';
import { MAGIC_LINK_STRATEGY, MagicLinkStrategy, type MagicLinkStrategyOptions } from './strategy.ts';
import { MagicLinkTokens } from './tokens.ts';
import { TokenPruner } from '../login/cleanup.ts';
import { workosProvider } from './workos.ts';

export const magicLinkMethod = defineMethod('magic-link', MAGIC_LINK_RULES, { messages: MAGIC_LINK_MESSAGES, failReasons: MAGIC_LINK_FAIL_REASONS, config: { key: 'magicLink', schema: magicLinkConfigSchema } }, (ctx) => {
  const stored = ctx.repos.tokens.magicLink;
  // The local provider cannot work without the MagicLinkToken model: refused at start-up, with the fix.
  const store = ctx.config.magicLink.provider === 'local' ? requireMagicLinkTokens(stored) : stored;
  const tokens = store ? new MagicLinkTokens(store, ctx.now, new TokenPruner(store, ctx, 'magic-link')) : null;
  const name = ctx.config.magicLink.provider;
  const provider = name === 'workos' ? workosProvider(ctx) : name === 'workos-magic-auth' ? magicAuthProvider(ctx) : localProvider(ctx, tokens!);
  const requests = new MagicLinkRequests(ctx, new MagicLinkSender(ctx, provider));
  const callback = new MagicLinkCallback(ctx, tokens);
  ctx.passport.use(MAGIC_LINK_STRATEGY, new MagicLinkStrategy(ctx, callback, { partial: true }));
  const routes = magicLinkRoutes(ctx, requests, callback);
  return {
    // With codes, "check your email" is the page where the code is typed: the code routes go first.
    routes: name === 'workos-magic-auth' ? Router().use(magicCodeRoutes(ctx, pages.request, requests.ttlMinutes()), routes) : routes,
    // `magic`: this module's own step 2; `email_mfa`: the link it sends after the password.
    start: (attempt, res) => requests.start(attempt, res),
    afterFirstFactor: (attempt, res) => requests.afterFirstFactor(attempt, res),
    strategy: (options?: MagicLinkStrategyOptions) => new MagicLinkStrategy(ctx, callback, options),
  };
});
