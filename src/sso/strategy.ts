// `WorkosSsoStrategy`: WorkOS SSO as a Passport strategy. Without a callback's parameters it starts a login (for
// the typed name's SSO rule: fresh single-use state, then the redirect to WorkOS); on the callback it checks the
// state, exchanges the code, checks the tenant, matches or provisions the identity, and succeeds with the user.
// The router runs it on callback/sso/; a host that runs its own Passport can put it on its own route.
import type { Request } from 'express';
import { publicUser } from '../context.ts';
import { safeNext } from '../core/next-url.ts';
import { BoundStrategy } from '../http/strategy.ts';
import { refusal } from './decide.ts';
import type { CallbackResult, SsoCallback } from './callback.ts';
import { isSsoRule } from './rule.ts';
import { ssoStartUrl } from './start.ts';
import type { WorkosSsoAuthenticateOptions, WorkosSsoStrategy as PublicSsoStrategy, WorkosSsoStrategyOptions } from './types.ts';

export type { WorkosSsoAuthenticateOptions, WorkosSsoStrategyOptions } from './types.ts';

export const SSO_STRATEGY = 'workos-login-sso';

const CALLBACK_PARAMS = ['code', 'state', 'error'];

export class WorkosSsoStrategy extends BoundStrategy<SsoCallback, WorkosSsoStrategyOptions | undefined> implements PublicSsoStrategy {
  name = SSO_STRATEGY;

  override authenticate(req: Request, options: WorkosSsoAuthenticateOptions = {}): void {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const run = CALLBACK_PARAMS.some((p) => p in query) ? this.finish(req) : this.start(req, options);
    run.catch((err: unknown) => this.error(err as Error));
  }

  private callbackUrl(req: Request): string {
    const given = this.options?.callbackUrl;
    if (typeof given === 'function') return given(req);
    return given ?? `${this.ctx.config.baseUrl}${req.baseUrl}${req.path}`;
  }

  private async start(req: Request, options: WorkosSsoAuthenticateOptions): Promise<void> {
    const fromRequest = (source: unknown) => (source && typeof source === 'object' && typeof (source as { username?: unknown }).username === 'string' ? (source as { username: string }).username : '');
    const typed = (options.username ?? (fromRequest(req.query) || fromRequest(req.body))).trim().slice(0, 320);
    const user = typed ? await this.ctx.users.findForLogin(typed) : null;
    const { rule } = typed ? await this.ctx.rules.resolve(user, typed) : { rule: null };
    if (!rule || !isSsoRule(rule)) {
      const result: CallbackResult = { kind: 'refuse', refusal: refusal('method_not_allowed', 'method_not_allowed', { user, rule }), pending: null, profile: null, extra: [] };
      return this.fail(result, 403);
    }
    const next = safeNext(typeof req.query.next === 'string' ? req.query.next : undefined, this.ctx.config.loginRedirectUrl);
    this.redirect(await ssoStartUrl(this.ctx, { req, typed, user, rule, next }, this.callbackUrl(req)), 303);
  }

  private async finish(req: Request): Promise<void> {
    const result = await this.service.run(req);
    if (result.kind === 'login') return this.success(publicUser(result.user) as Express.User, result);
    if (result.kind === 'refuse') return this.fail(result, result.refusal.status);
    const home = this.ctx.config.loginRedirectUrl;
    this.redirect(await ssoStartUrl(this.ctx, { req, typed: '', user: null, rule: result.rule, next: home }, this.callbackUrl(req)), 303);
  }
}
