// mfa/: a logged-in user's own factor. They see it, and remove it (unless their rule requires MFA) or replace it,
// after re-entering their password or a current code. Removing deletes the factor here and at WorkOS with the
// recovery codes, and ends the user's other sessions (this one goes on under a new id). Replacing removes the
// old factor the same way, then turns this session into a half-login that goes through the usual enrollment
// (enroll/ → recovery-codes/) and logs in again. Every change emits `mfaChanged`.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { auditContext, publicUser, ruleRef, type Message } from '../context.ts';
import type { LoginRule } from '../core/rules.ts';
import { FACTOR_STEP } from '../core/steps.ts';
import type { UserRow } from '../db/types.ts';
import { messageFor, type LoginErrorCode } from '../errors.ts';
import { loginRequired } from '../http/auth.ts';
import { LoginThrottle } from '../http/rate-limit.ts';
import { flash, loginState, regenerateSession, saveSession } from '../http/session.ts';
import { describeSdkError } from '../workos/client.ts';
import type { CodeHolder, CodeOutcome, MfaFlow } from './flow.ts';
import { startPending } from './pending.ts';
import type { FactorRow } from './store.ts';
import { phoneHint, SMS_SENT } from './verify-routes.ts';
import { isUserId, type UserId } from '../user-types.ts';

const manageBody = z.object({
  action: z.enum(['remove', 'replace', 'send']).catch('remove'),
  password: z.string().max(4096).catch(''),
  code: z.string().max(64).catch(''),
});

/** The mfa/ page's own state: the SMS challenge sent to re-authenticate, bound to the user who asked for it. */
const manageState = z.object({
  userId: z.custom<UserId>(isUserId),
  challenge: z.object({ id: z.string(), factorId: z.string(), sentAt: z.number() }).optional(),
});
type ManageState = z.infer<typeof manageState>;
const KEY = 'mfaManage';

export const MFA_REMOVED = 'Two-step verification was removed from your account.';

type Failure = { status: number; code: LoginErrorCode };

const CODE_FAILURES: Record<Exclude<CodeOutcome, 'ok'>, Failure> = {
  format: { status: 400, code: 'mfa_code_format' },
  send_first: { status: 400, code: 'mfa_send_first' },
  throttled: { status: 429, code: 'throttled' },
  wrong: { status: 401, code: 'mfa_code_invalid' },
  used: { status: 401, code: 'mfa_code_used' },
  expired: { status: 400, code: 'mfa_challenge_expired' },
  locked: { status: 401, code: 'mfa_challenge_locked' },
};

export function manageRoutes(flow: MfaFlow): Router {
  const { ctx } = flow;
  const loggedIn = loginRequired(ctx, () => ctx.config.loginUrl);

  /** What the user's rule lets them do with an enrolled factor. */
  function allowed(rule: LoginRule | null): { remove: boolean; replace: boolean } {
    const steps = rule ? ctx.flow.steps(rule.method) : null;
    if (!steps) return { remove: false, replace: false };
    return {
      // A rule that always asks for the factor (mfa) keeps it: it can only be swapped for another.
      remove: steps.second !== FACTOR_STEP,
      // A new factor can be enrolled where the rule asks for one, or binds one the user has.
      replace: ctx.flow.owes(rule, FACTOR_STEP, { hasMfa: true, hasSso: false }),
    };
  }

  function holderOf(req: Request, user: UserRow): CodeHolder {
    const state = loginState(req);
    const parsed = manageState.safeParse(state[KEY]);
    if (!parsed.success || parsed.data.userId !== user.id) state[KEY] = { userId: user.id } satisfies ManageState;
    return { user, pending: state[KEY] as ManageState };
  }

  async function load(req: Request): Promise<{ user: UserRow; rule: LoginRule | null; factors: FactorRow[] } | null> {
    const user = await ctx.users.findActiveById((req.user as { id: number }).id);
    if (!user) return null;
    const { rule } = await ctx.rules.resolve(user, user.username);
    return { user, rule, factors: await flow.store.factors(user.id) };
  }

  function render(req: Request, res: Response, data: { user: UserRow; rule: LoginRule | null; factors: FactorRow[] }, status = 200, messages: Message[] = []): void {
    const primary = data.factors[0];
    const can = allowed(data.rule);
    const sent = !!primary && primary.type === 'sms' && holderOf(req, data.user).pending.challenge?.factorId === primary.workosFactorId;
    ctx.renderer.render(
      req,
      res,
      'mfa_factors',
      {
        action: flow.url(req, 'mfa'),
        home_url: ctx.config.loginRedirectUrl,
        factors: data.factors.map((f) => ({ type: f.type, phone_hint: phoneHint(f.phoneNumber), added: day(f.createdAt), last_used: f.lastUsedAt ? day(f.lastUsedAt) : null })),
        factor_type: primary?.type ?? null,
        phone_hint: phoneHint(primary?.phoneNumber),
        sent,
        has_password: !!data.user.passwordHash,
        can_remove: can.remove,
        can_replace: can.replace,
      },
      { status, messages },
    );
  }

  /** The person proves it is them again: the password (throttled like a login) or a current code of the factor. */
  async function reauthenticate(req: Request, holder: CodeHolder, factor: FactorRow, body: z.infer<typeof manageBody>): Promise<'password' | 'code' | Failure> {
    const { user } = holder;
    if (body.password) {
      const account = LoginThrottle.accountKey(user.username, user.id);
      const ip = auditContext(req).ip;
      if ((await ctx.throttle.begin(account, ip)) > 0) return { status: 429, code: 'throttled' };
      if (!(await ctx.hasher.verify(body.password, user.passwordHash))) return { status: 401, code: 'mfa_reauth_failed' };
      await ctx.throttle.succeeded(account, ip);
      return 'password';
    }
    if (body.code) {
      const outcome = await flow.checkCode(holder, factor.workosFactorId, factor.type, body.code);
      return outcome === 'ok' ? 'code' : CODE_FAILURES[outcome];
    }
    return { status: 400, code: 'mfa_reauth_required' };
  }

  /** Removes every factor of the user here (with the recovery codes, ending their sessions), then at WorkOS. */
  async function removeFactors(user: UserRow, factors: FactorRow[]): Promise<UserRow | null> {
    await flow.store.removeAll(user.id);
    for (const factor of factors) {
      try {
        await flow.api.remove(factor.workosFactorId);
      } catch (err) {
        // Removed here already, so it can no longer be used; WorkOS keeps an orphan until support deletes it.
        ctx.config.logger.error(`express-workos-login: could not delete factor ${factor.workosFactorId} at WorkOS`, {
          error: describeSdkError(err instanceof Error && err.cause ? err.cause : err),
        });
      }
    }
    return ctx.users.findActiveById(user.id);
  }

  const show: RequestHandler = async (req, res) => {
    const data = await load(req);
    if (!data) return res.redirect(303, ctx.config.loginUrl);
    render(req, res, data);
  };

  const submit: RequestHandler = async (req, res) => {
    const data = await load(req);
    if (!data) return res.redirect(303, ctx.config.loginUrl);
    const { user, rule, factors } = data;
    const factor = factors[0];
    const refuse = (failure: Failure) => render(req, res, data, failure.status, [{ level: 'error', text: messageFor(failure.code) }]);
    if (!factor) return res.redirect(303, flow.url(req, 'mfa'));
    const body = manageBody.parse(req.body ?? {});
    const holder = holderOf(req, user);
    try {
      if (body.action === 'send') {
        if (factor.type !== 'sms') return res.redirect(303, flow.url(req, 'mfa'));
        const wait = await flow.sendSms(req, holder, factor.workosFactorId);
        if (wait > 0) {
          res.set('Retry-After', String(wait));
          return refuse({ status: 429, code: 'mfa_sms_throttled' });
        }
        flash(req, 'info', SMS_SENT);
        await saveSession(req);
        return res.redirect(303, flow.url(req, 'mfa'));
      }
      // What the rule allows is checked first: a refused change costs no password attempt.
      const can = allowed(rule);
      if (body.action === 'remove' && !can.remove) return refuse({ status: 403, code: 'mfa_remove_not_allowed' });
      if (body.action === 'replace' && !can.replace) return refuse({ status: 403, code: 'mfa_replace_not_allowed' });
      const via = await reauthenticate(req, holder, factor, body);
      if (typeof via === 'object') {
        await saveSession(req);
        return refuse(via);
      }
      delete loginState(req)[KEY];
      const updated = await removeFactors(user, factors);
      ctx.events.emit('mfaChanged', {
        ...auditContext(req),
        user: publicUser(updated ?? user),
        action: body.action,
        factors: factors.map((f) => ({ id: f.id, type: f.type })),
        rule: ruleRef(rule),
        via,
      });
      if (!updated) return res.redirect(303, ctx.config.loginUrl);
      if (body.action === 'remove') {
        // The user's other sessions ended with the removal; this one goes on under a new id and the new version.
        const auth = loginState(req).auth;
        await regenerateSession(req);
        const state = loginState(req);
        state.user = { id: updated.id, v: updated.sessionVersion };
        state.auth = auth ?? { at: ctx.now(), seen: ctx.now() };
        flash(req, 'success', MFA_REMOVED);
        await saveSession(req);
        return res.redirect(303, flow.url(req, 'mfa'));
      }
      // Replace: this session becomes a half-login that owes a new factor, then logs in again and comes back here.
      await regenerateSession(req);
      startPending(req, {
        userId: updated.id,
        ruleId: rule!.id,
        next: flow.url(req, 'mfa'),
        expiresAt: ctx.now() + ctx.config.mfa.pendingTtlSeconds * 1000,
        v: updated.sessionVersion,
        replacing: true,
      });
      await saveSession(req);
      res.redirect(303, flow.url(req, 'enroll'));
    } catch (err) {
      await flow.upstream(req, res, err, 'mfa');
    }
  };

  return Router().get('/mfa', loggedIn, show).post('/mfa', loggedIn, submit);
}

/** A date as the page shows it (UTC, ISO): no locale guessing on the server. */
function day(date: Date): string {
  return new Date(date).toISOString().slice(0, 10);
}
