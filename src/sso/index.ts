// SSO login methods: `sso` (SAML by connection or organization), `GoogleOAuth` and `MicrosoftOAuth`, SP- and
// IdP-initiated, with just-in-time provisioning. Step 2 redirects to WorkOS (start.ts); WorkOS comes back to
// callback/sso/ (callback.ts). See docs/sso.md.
import type { Context, MethodHandler, MethodModule } from '../context.ts';
import { dataModelOf } from '../db/model.ts';
import { ssoCallbackRoutes } from './callback.ts';
import { SsoDecider } from './decide.ts';
import { SsoIdentities } from './identities.ts';
import { startSso } from './start.ts';

export function ssoModule(ctx: Context): MethodModule {
  const identities = new SsoIdentities(ctx.prisma);
  const dataModel = dataModelOf(ctx.prisma);
  if (!dataModel) {
    ctx.config.logger.warn('express-workos-login: the Prisma client does not expose its data model; JIT saved attributes other than the username are skipped');
  }
  const handler: MethodHandler = { start: (attempt, res) => startSso(ctx, attempt, res) };
  return {
    routes: ssoCallbackRoutes(ctx, { decider: new SsoDecider(ctx, identities), identities, dataModel: dataModel ?? { models: {} } }),
    handlers: { sso: handler, GoogleOAuth: handler, MicrosoftOAuth: handler },
  };
}
