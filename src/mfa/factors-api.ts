// The WorkOS MFA calls (`/auth/*`) and the outcomes the flows expect from them. Anything else (5xx,
// timeouts, 401) becomes LoginError('upstream') in the gateway, and the half-login stays for a retry.
import type { Context } from '../context.ts';
import type { SmsTemplateUser } from '../config.ts';
import { LoginError } from '../errors.ts';
import { sdkCode, sdkStatus } from '../workos/client.ts';

export type VerifyResult = { valid: boolean } | { failure: 'previously_verified' | 'expired' | 'too_many_attempts' };

const DEFAULT_SMS_TEMPLATE = 'Your authentication code is {{code}}';

/** WorkOS's error code: `code` on 422s, `rawData.code` on the 400 that 8.x throws as GenericServerException. */
export function workosErrorCode(err: unknown): string | undefined {
  const direct = sdkCode(err);
  if (direct) return direct;
  const raw = err && typeof err === 'object' ? (err as { rawData?: unknown }).rawData : undefined;
  const code = raw && typeof raw === 'object' ? (raw as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

const VERIFY_FAILURES = {
  authentication_challenge_previously_verified: 'previously_verified',
  authentication_challenge_expired: 'expired',
  one_time_code_too_many_attempts: 'too_many_attempts',
} as const;

export class FactorsApi {
  constructor(private readonly ctx: Pick<Context, 'workos' | 'config'>) {}

  async enrollTotp(issuer: string, account: string): Promise<{ id: string; secret: string; qrCode: string }> {
    const factor = await this.ctx.workos.call('mfa.enrollFactor(totp)', (sdk) => sdk.mfa.enrollFactor({ type: 'totp', issuer, user: account }));
    const totp = factor.totp;
    // The page puts these into an <img src> and a text node: accept only the shapes WorkOS documents.
    if (!totp || !/^[A-Z2-7]{16,128}=*$/.test(totp.secret) || !/^data:image\/png;base64,[A-Za-z0-9+/=]+$/.test(totp.qrCode)) {
      this.ctx.config.logger.error('express-workos-login: WorkOS mfa.enrollFactor(totp) returned no usable secret or QR code');
      throw new LoginError('upstream', 503);
    }
    return { id: factor.id, secret: totp.secret, qrCode: totp.qrCode };
  }

  /** `rejected`: WorkOS refused the number (422), which the form reports. */
  async enrollSms(phoneNumber: string): Promise<{ id: string } | { rejected: true }> {
    try {
      const factor = await this.ctx.workos.call(
        'mfa.enrollFactor(sms)',
        (sdk) => sdk.mfa.enrollFactor({ type: 'sms', phoneNumber }),
        (err) => sdkStatus(err) === 422,
      );
      return { id: factor.id };
    } catch (err) {
      if (sdkStatus(err) === 422) return { rejected: true };
      throw err;
    }
  }

  /** Creates a challenge; for SMS factors WorkOS texts the code using `smsTemplate`. */
  async challenge(factorId: string, smsTemplate?: string): Promise<{ id: string }> {
    const challenge = await this.ctx.workos.call('mfa.challengeFactor', (sdk) =>
      sdk.mfa.challengeFactor(smsTemplate === undefined ? { authenticationFactorId: factorId } : { authenticationFactorId: factorId, smsTemplate }),
    );
    return { id: challenge.id };
  }

  async verify(challengeId: string, code: string): Promise<VerifyResult> {
    const isKnown = (err: unknown) => (workosErrorCode(err) ?? '') in VERIFY_FAILURES;
    try {
      const res = await this.ctx.workos.call('mfa.verifyChallenge', (sdk) => sdk.mfa.verifyChallenge({ authenticationChallengeId: challengeId, code }), isKnown, [code]);
      return { valid: res.valid === true };
    } catch (err) {
      if (!isKnown(err)) throw err;
      return { failure: VERIFY_FAILURES[workosErrorCode(err) as keyof typeof VERIFY_FAILURES] };
    }
  }

  /** Deletes a factor at WorkOS; a factor WorkOS no longer knows counts as deleted. */
  async remove(factorId: string): Promise<void> {
    try {
      await this.ctx.workos.call('mfa.deleteFactor', (sdk) => sdk.mfa.deleteFactor(factorId), (err) => sdkStatus(err) === 404);
    } catch (err) {
      if (sdkStatus(err) !== 404) throw err;
    }
  }
}

/** The SMS text for a user: the configured string, or the configured function's result. */
export function smsTemplateFor(ctx: Pick<Context, 'config'>, user: SmsTemplateUser): string {
  const template = ctx.config.mfa.smsTemplate;
  if (typeof template === 'string') return template;
  try {
    const text = template({ id: user.id, username: user.username, email: user.email, firstName: user.firstName, lastName: user.lastName });
    if (typeof text === 'string' && text.includes('{{code}}')) return text;
    ctx.config.logger.error('express-workos-login: smsMfaTemplate(user) must return a string containing {{code}}; the default text was sent');
  } catch (err) {
    ctx.config.logger.error('express-workos-login: smsMfaTemplate(user) threw; the default text was sent', { error: err instanceof Error ? err.message : String(err) });
  }
  return DEFAULT_SMS_TEMPLATE;
}
