// SSO login methods: `sso` (SAML by connection or organization), `GoogleOAuth` and `MicrosoftOAuth`, SP- and
// IdP-initiated, with just-in-time provisioning. Step 2 redirects to WorkOS (start.ts); WorkOS comes back to
// callback/sso/ (routes.ts → strategy.ts → callback.ts). See docs/sso-and-jit.md.
import { defineMethod } from '../contract.ts';
import { SsoCallback } from './callback.ts';
import { ssoConfigSchema } from './config.ts';
import { SsoDecider } from './decide.ts';
import { SsoIdentities } from './identities.ts';
import { SSO_FAIL_REASONS, SSO_MESSAGES } from './messages.ts';
import { ssoRoutes } from './routes.ts';
import { SSO_RULES } from './rule.ts';
import { startSso, ssoCallbackUrl } from './start.ts';
import { SSO_STRATEGY, WorkosSsoStrategy, type WorkosSsoStrategyOptions } from './strategy.ts';

export const ssoMethod = defineMethod('sso', SSO_RULES, { messages: SSO_MESSAGES, failReasons: SSO_FAIL_REASONS, config: { key: 'sso', schema: ssoConfigSchema } }, (ctx) => {
  const identities = new SsoIdentities(ctx.repos.identities, ctx.users);
  const dataModel = ctx.repos.dataModel;
  if (!dataModel) {
    ctx.config.logger.warn('express-workos-login: the database client does not describe its models; JIT saved attributes other than the username are skipped');
  }
  const callback = new SsoCallback(ctx, { decider: new SsoDecider(ctx, identities), identities, dataModel: dataModel ?? { models: {} } });
  ctx.passport.use(SSO_STRATEGY, new WorkosSsoStrategy(ctx, callback, { callbackUrl: (req) => ssoCallbackUrl(ctx, req) }));
  return {
    routes: ssoRoutes(ctx),
    start: (attempt, res) => startSso(ctx, attempt, res),
    strategy: (options?: WorkosSsoStrategyOptions) => new WorkosSsoStrategy(ctx, callback, options),
  };
});
