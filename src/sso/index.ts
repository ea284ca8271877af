// SSO login methods: `sso` (SAML by connection or organization), `GoogleOAuth` and `MicrosoftOAuth`, SP- and
// IdP-initiated, with just-in-time provisioning. Step 2 redirects to WorkOS (start.ts); WorkOS comes back to
// callback/sso/ (routes.ts → strategy.ts → callback.ts). With `sso.webhookSecret`, Directory Sync webhooks
// deprovision (and optionally provision) the organizations' users (directory/). See docs/sso-and-jit.md.
import { defineMethod } from '../contract.ts';
import type { Context } from '../context.ts';
import { ConfigError } from '../errors.ts';
import { SsoCallback } from './callback.ts';
import { ssoConfigSchema } from './config.ts';
import { SsoDecider } from './decide.ts';
import { DirectorySyncHandler } from './directory/sync.ts';
import { directoryWebhookRoutes } from './directory/webhook.ts';
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
    ...(ctx.config.sso.webhookSecret ? { webhooks: directoryWebhooks(ctx, ctx.config.sso.webhookSecret) } : {}),
    start: (attempt, res) => startSso(ctx, attempt, res),
    strategy: (options?: WorkosSsoStrategyOptions) => new WorkosSsoStrategy(ctx, callback, options),
  };
});

/** The Directory Sync webhook route, once its needs are checked at start-up (each missing piece named). */
function directoryWebhooks(ctx: Context, secret: string) {
  const issues: string[] = [];
  if (!ctx.config.workos.apiKey || !ctx.config.workos.clientId) issues.push('sso.webhookSecret: the webhook needs workos.apiKey and workos.clientId (or WORKOS_API_KEY / WORKOS_CLIENT_ID)');
  const store = ctx.repos.webhookEvents;
  if (!store) issues.push('sso.webhookSecret: the webhook needs the WorkosWebhookEvent model from prisma/workos-login.prisma in your Prisma schema');
  const identityFields = ctx.repos.dataModel?.models.SsoIdentity?.fields;
  if (identityFields && !identityFields.some((f) => f.name === 'directoryUserId')) {
    issues.push('sso.webhookSecret: the webhook needs SsoIdentity.directoryUserId from prisma/workos-login.prisma in your Prisma schema (see docs/upgrading.md)');
  }
  if (issues.length > 0 || !store) throw ConfigError.of(issues);
  return directoryWebhookRoutes(ctx, store, new DirectorySyncHandler(ctx, ctx.repos.dataModel ?? { models: {} }), secret);
}
