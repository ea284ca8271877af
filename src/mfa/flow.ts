// What every MFA page shares: the gate that loads and re-checks the half-login on each request, code and
// recovery-code checks with their counters, SMS sends, failure accounting and the final login.
import type { Request, Response } from 'express';
import type { Context } from '../context.ts';
import { auditContext } from '../context.ts';
import { reportLoginFailure } from '../http/audit.ts';
import type { LoginRule } from '../core/rules.ts';
import { FACTOR_STEP } from '../core/steps.ts';
import type { UserRow } from '../db/types.ts';
import { LoginError, messageFor, type LoginErrorCode } from '../errors.ts';
import { saveSession } from '../http/session.ts';
import { FactorsApi, smsTemplateFor } from './factors-api.ts';
import { MfaLimits } from './limits.ts';
import { endPending, readPending, type PendingChallenge, type PendingMfa } from './pending.ts';
import { MfaStore, type FactorRow, type FactorType } from './store.ts';
import type { UserId } from '../user-types.ts';

export type MfaPage = 'enroll' | 'enroll-totp' | 'enroll-sms' | 'verify' | 'recovery-codes' | 'mfa';

/** A live half-login, re-checked on this request. */
export interface Gate {
  pending: PendingMfa;
  user: UserRow;
  rule: LoginRule;
  factors: FactorRow[];
}

export type CodeOutcome = 'ok' | 'format' | 'send_first' | 'throttled' | 'wrong' | 'used' | 'expired' | 'locked';

/** Whose code is checked, and where the challenge sent for it lives (a half-login, or the mfa/ page's state). */
export interface CodeHolder {
  user: UserRow;
  pending: { challenge?: PendingChallenge };
}
export type Rerender = (status: number, code: LoginErrorCode) => void;

const FAILURE_CODES: Record<'wrong' | 'used' | 'locked' | 'recovery', LoginErrorCode> = {
  wrong: 'mfa_code_invalid',
  used: 'mfa_code_used',
  locked: 'mfa_challenge_locked',
  recovery: 'mfa_recovery_invalid',
};

export class MfaFlow {
  readonly store: MfaStore;
  readonly api: FactorsApi;
  readonly limits: MfaLimits;

  constructor(readonly ctx: Context) {
    this.store = new MfaStore(ctx.repos.mfa);
    this.api = new FactorsApi(ctx);
    this.limits = new MfaLimits(ctx);
  }

  url(req: Request, page: MfaPage): string {
    return `${req.baseUrl}/${page}/`;
  }

  loginUrl(req: Request, next?: string): string {
    const keep = next && next !== this.ctx.config.loginRedirectUrl ? `?next=${encodeURIComponent(next)}` : '';
    return `${req.baseUrl}/login/${keep}`;
  }

  /** The half-login, or null after answering (no half-login, expired, user changed, rule no longer MFA). */
  async gate(req: Request, res: Response): Promise<Gate | null> {
    const pending = readPending(req);
    if (!pending) {
      res.redirect(303, this.loginUrl(req));
      return null;
    }
    if (this.ctx.now() >= pending.expiresAt) return this.abort(req, res, pending, 'mfa_expired', 401);
    const user = await this.ctx.users.findActiveById(pending.userId);
    // A bumped sessionVersion means resetMfa, endSessions or a password change happened since the password step.
    if (!user || user.sessionVersion !== pending.v) return this.abort(req, res, pending, 'mfa_expired', 401);
    const factors = await this.store.factors(user.id);
    const { rule } = await this.ctx.rules.resolve(user, user.username);
    // A replacement is owed the factor step as if the old factor were still there (its rule binds enrolled factors).
    const hasMfa = factors.length > 0 || pending.replacing === true;
    if (!rule || !this.ctx.flow.owes(rule, FACTOR_STEP, { hasMfa, hasSso: false })) return this.abort(req, res, pending, 'method_not_allowed', 403);
    return { pending, user, rule, factors };
  }

  /** Ends the half-login and says why, with a way back to the login page that keeps `next`. */
  async abort(req: Request, res: Response, pending: PendingMfa, code: LoginErrorCode, status: number): Promise<null> {
    endPending(req);
    await saveSession(req);
    this.ctx.renderer.render(
      req,
      res,
      'error',
      { heading: 'Please log in again', error_message: messageFor(code), retry_url: this.loginUrl(req, pending.next), retry_label: 'Log in again' },
      { status },
    );
    return null;
  }

  /** Checks a 6-digit code against a factor; the challenge id comes from the session, never from the form. */
  async checkCode(gate: CodeHolder, factorId: string, type: FactorType, input: string): Promise<CodeOutcome> {
    const code = input.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(code)) return 'format';
    const { pending, user } = gate;
    let challenge = pending.challenge?.factorId === factorId ? pending.challenge : undefined;
    if (type === 'sms' && !challenge) return 'send_first';
    if (!(await this.limits.verify.take(MfaLimits.userKey(user.id)))) return 'throttled';
    // Reserve the TOTP code before asking WorkOS, so two parallel requests cannot both use it.
    const usedKey = `${factorId}:${code}`;
    if (type === 'totp' && !(await this.limits.totpUsed.take(usedKey))) return 'used';
    let accepted = false;
    try {
      if (!challenge) {
        const created = await this.api.challenge(factorId);
        challenge = pending.challenge = { id: created.id, factorId, sentAt: this.ctx.now() };
      }
      const result = await this.api.verify(challenge.id, code);
      if ('failure' in result) {
        delete pending.challenge;
        return result.failure === 'previously_verified' ? 'used' : result.failure === 'expired' ? 'expired' : 'locked';
      }
      if (!result.valid) return 'wrong';
      delete pending.challenge;
      // Our own single-use mark, independent of WorkOS: a verified challenge is never accepted twice.
      if (!(await this.limits.challengeUsed.take(challenge.id))) return 'used';
      accepted = true;
      return 'ok';
    } finally {
      if (type === 'totp' && !accepted) await this.limits.totpUsed.reset(usedKey);
    }
  }

  async checkRecoveryCode(gate: Gate, input: string): Promise<'ok' | 'throttled' | 'recovery'> {
    if (!(await this.limits.verify.take(MfaLimits.userKey(gate.user.id)))) return 'throttled';
    return (await this.store.consumeRecoveryCode(gate.user.id, input.slice(0, 64))) ? 'ok' : 'recovery';
  }

  /** Answers a failed check: counts wrong codes, ends the half-login after `mfa.maxAttempts`. */
  async reportFailure(req: Request, res: Response, gate: Gate, outcome: Exclude<CodeOutcome, 'ok'> | 'recovery', rerender: Rerender): Promise<void> {
    const { user, rule, pending } = gate;
    const event = (reason: 'throttled' | 'second_factor_failed') => reportLoginFailure(this.ctx, req, { typed: user.username, user, rule, reason });
    if (outcome === 'throttled') {
      event('throttled');
      res.set('Retry-After', String(Math.max(1, await this.limits.verify.retryAfter(MfaLimits.userKey(user.id)))));
      return rerender(429, 'throttled');
    }
    if (outcome === 'format') return rerender(400, 'mfa_code_format');
    if (outcome === 'send_first') return rerender(400, 'mfa_send_first');
    if (outcome === 'expired') return rerender(400, 'mfa_challenge_expired');
    event('second_factor_failed');
    pending.attempts += 1;
    if (pending.attempts >= this.ctx.config.mfa.maxAttempts) {
      await this.abort(req, res, pending, 'mfa_too_many_attempts', 429);
      return;
    }
    rerender(401, FAILURE_CODES[outcome]);
  }

  /**
   * Sends an SMS challenge for `factorId` (rate-limited per user and per IP unless the caller already
   * counted this send). Returns the seconds to wait when over the limit, else 0.
   */
  async sendSms(req: Request, gate: CodeHolder, factorId: string, counted = false): Promise<number> {
    if (!counted) {
      const wait = await this.takeSmsSend(req, gate.user.id);
      if (wait > 0) return wait;
    }
    const challenge = await this.api.challenge(factorId, smsTemplateFor(this.ctx, gate.user));
    gate.pending.challenge = { id: challenge.id, factorId, sentAt: this.ctx.now() };
    return 0;
  }

  /** Counts one SMS send; returns the seconds to wait when over a limit, else 0. */
  async takeSmsSend(req: Request, userId: UserId): Promise<number> {
    const ip = auditContext(req).ip;
    const key = MfaLimits.userKey(userId);
    if ((await this.limits.smsByIp.take(ip)) && (await this.limits.smsByUser.take(key))) return 0;
    return Math.max(1, await this.limits.smsByUser.retryAfter(key), await this.limits.smsByIp.retryAfter(ip));
  }

  /** The second factor passed: a fresh session id, the user logged in, and the redirect to the original `next`. */
  async finish(req: Request, res: Response, gate: Gate, factor: FactorRow | null): Promise<void> {
    await this.limits.verify.reset(MfaLimits.userKey(gate.user.id));
    if (factor) await this.store.touchFactor(factor.id);
    await this.ctx.flow.advance({ req, typed: gate.user.username, user: gate.user, rule: gate.rule, next: gate.pending.next }, 'second', res);
  }

  /**
   * WorkOS failed (5xx, timeout): the upstream error page, with a link back to this step. The half-login
   * and anything it gained before the failure are kept, so the person can retry.
   */
  async upstream(req: Request, res: Response, err: unknown, page: MfaPage): Promise<void> {
    if (!(err instanceof LoginError) || err.code !== 'upstream') throw err;
    await saveSession(req);
    this.ctx.renderer.render(
      req,
      res,
      'error',
      { heading: 'Please try again', error_message: err.message, retry_url: this.url(req, page), retry_label: 'Try again' },
      { status: err.status },
    );
  }
}
