// MFA counters, all in the configured rate-limit store so every app instance shares them: verify attempts
// per user, SMS sends per user and per IP, and the single-use marks for TOTP codes and verified challenges.
import type { Context } from '../context.ts';
import { Throttle } from '../http/rate-limit.ts';
import type { UserId } from '../user-types.ts';

/** A TOTP code is valid for at most three 30 s steps (±1 step of drift): remember it longer than that. */
const TOTP_USED_SECONDS = 120;
/** SMS challenges expire after 10 minutes at WorkOS. */
const CHALLENGE_USED_SECONDS = 900;

export class MfaLimits {
  /** Every code or recovery-code attempt of a user (taken before checking, reset on success). */
  readonly verify: Throttle;
  readonly smsByUser: Throttle;
  readonly smsByIp: Throttle;
  /** `take('factorId:code')` false = that TOTP code was already accepted (or is being checked right now). */
  readonly totpUsed: Throttle;
  /** `take(challengeId)` false = the challenge already verified once. */
  readonly challengeUsed: Throttle;

  constructor(ctx: Context) {
    const { verifyLimit, smsSendLimit } = ctx.config.mfa;
    this.verify = new Throttle(ctx.limiters('mfa-verify', verifyLimit), verifyLimit.points);
    this.smsByUser = new Throttle(ctx.limiters('mfa-sms-user', smsSendLimit), smsSendLimit.points);
    const ipPoints = Math.min(100, smsSendLimit.points * 10);
    this.smsByIp = new Throttle(ctx.limiters('mfa-sms-ip', { ...smsSendLimit, points: ipPoints }), ipPoints);
    this.totpUsed = new Throttle(ctx.limiters('mfa-totp-used', { points: 1, durationSeconds: TOTP_USED_SECONDS }), 1);
    this.challengeUsed = new Throttle(ctx.limiters('mfa-challenge-used', { points: 1, durationSeconds: CHALLENGE_USED_SECONDS }), 1);
  }

  static userKey(userId: UserId): string {
    return `user:${userId}`;
  }
}
