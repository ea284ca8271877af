// `MagicLinkStrategy`: the confirmation POST of a magic link as a Passport strategy. It checks the link (its
// token, or WorkOS's code with the session-bound state), uses it up atomically and succeeds with the user. The
// router runs it on callback/magic/ and hands the login to the shared flow (an enrolled MFA factor may follow).
// On a host's own route it succeeds only when the link completes the login.
import type { Request } from 'express';
import { z } from 'zod';
import { publicUser } from '../context.ts';
import { nextStep } from '../core/steps.ts';
import { BoundStrategy } from '../http/strategy.ts';
import type { LinkParams, MagicLinkCallback, Verdict } from './callback.ts';
import type { MagicLinkStrategy as PublicMagicLinkStrategy, MagicLinkStrategyOptions } from './types.ts';

export type { MagicLinkStrategyOptions } from './types.ts';

export const MAGIC_LINK_STRATEGY = 'workos-login-magic-link';

const secret = z.string().min(1).max(2048);
const linkParams = z.union([
  z.object({ token: secret }).transform((p): LinkParams => ({ kind: 'local', token: p.token })),
  z.object({ code: secret, state: secret }).transform((p): LinkParams => ({ kind: 'workos', code: p.code, state: p.state })),
]);

/** The link's parameters, from a query or a form; anything malformed is an invalid link, never an error. */
export function parseLink(source: unknown): LinkParams {
  const parsed = linkParams.safeParse(source ?? {});
  return parsed.success ? parsed.data : { kind: 'error' };
}

export class MagicLinkStrategy extends BoundStrategy<MagicLinkCallback, MagicLinkStrategyOptions | undefined> implements PublicMagicLinkStrategy {
  name = MAGIC_LINK_STRATEGY;

  override authenticate(req: Request): void {
    this.verify(req).then(
      (verdict) => (verdict.ok ? this.success(publicUser(verdict.user) as Express.User, verdict) : this.fail(verdict, verdict.code === 'method_not_allowed' ? 403 : 400)),
      (err: unknown) => this.error(err as Error),
    );
  }

  private async verify(req: Request): Promise<Verdict> {
    const verdict = await this.service.check(req, parseLink(req.body));
    if (!verdict.ok) return verdict;
    if (!(await verdict.consume())) return { ok: false, code: 'magic_link_invalid', user: verdict.user, rule: verdict.rule };
    if (this.options?.partial) return verdict;
    const steps = this.ctx.flow.steps(verdict.rule.method);
    const step = steps ? nextStep(steps, steps.first === 'own' ? 'first' : 'second', await this.ctx.users.facts(verdict.user)) : null;
    // A link that leaves a step owed (an enrolled MFA factor) does not log in on a host's route.
    return step?.kind === 'done' ? verdict : { ok: false, code: 'method_not_allowed', user: verdict.user, rule: verdict.rule };
  }
}
