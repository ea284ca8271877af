// MFA factors and challenges (`/auth/*`): TOTP with real secrets, SMS codes delivered to the outbox,
// and the verification outcomes the SDK maps to exceptions (422 codes, 400 after too many attempts).
import { randomInt } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isoAt } from './clock.ts';
import type { EmulatorContext } from './context.ts';
import { HttpError } from './errors.ts';
import { notFoundBody, parseInput, sendJson } from './http.ts';
import { prefixedId } from './ids.ts';
import { newTotpSecret, qrCodeDataUri, totpUri, verifyTotp } from './totp.ts';

export const CHALLENGE_TTL_MS = 10 * 60_000;
/** WorkOS does not document its limit; the sixth attempt on one challenge is refused. */
export const MAX_VERIFY_ATTEMPTS = 5;
const DEFAULT_SMS_TEMPLATE = 'Your code is {{code}}';
const E164 = /^\+[1-9]\d{1,14}$/;

interface Factor {
  id: string;
  type: 'totp' | 'sms' | 'generic_otp';
  createdAt: number;
  totp?: { issuer: string; user: string; secret: string; uri: string; qrCode: string };
  sms?: { phoneNumber: string };
}

interface Challenge {
  id: string;
  factorId: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | undefined;
  code: string | undefined;
  attempts: number;
  verified: boolean;
}

const enrollBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('totp'), totp_issuer: z.string().min(1), totp_user: z.string().min(1) }),
  z.object({ type: z.literal('sms'), phone_number: z.string() }),
  z.object({ type: z.literal('generic_otp') }),
]);
const challengeBody = z.object({ sms_template: z.string().min(1).max(1000).optional() });
const verifyBody = z.object({ code: z.string().max(64) });

function factorJson(factor: Factor, withSecrets: boolean): Record<string, unknown> {
  const { totp } = factor;
  return {
    object: 'authentication_factor',
    id: factor.id,
    created_at: isoAt(factor.createdAt),
    updated_at: isoAt(factor.createdAt),
    type: factor.type,
    ...(totp && {
      totp: withSecrets
        ? { issuer: totp.issuer, user: totp.user, qr_code: totp.qrCode, secret: totp.secret, uri: totp.uri }
        : { issuer: totp.issuer, user: totp.user },
    }),
    ...(factor.sms && { sms: { phone_number: factor.sms.phoneNumber } }),
  };
}

function challengeJson(challenge: Challenge, type: Factor['type']): Record<string, unknown> {
  return {
    object: 'authentication_challenge',
    id: challenge.id,
    created_at: isoAt(challenge.createdAt),
    updated_at: isoAt(challenge.updatedAt),
    ...(challenge.expiresAt !== undefined && { expires_at: isoAt(challenge.expiresAt) }),
    // Only generic_otp returns its code: the app delivers it. WorkOS sends SMS codes itself.
    ...(type === 'generic_otp' && { code: challenge.code }),
    authentication_factor_id: challenge.factorId,
  };
}

function sixDigits(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

export function mfaRoutes(ctx: EmulatorContext): Router {
  const router = Router();
  const factors = new Map<string, Factor>();
  const challenges = new Map<string, Challenge>();

  const factorOr404 = (id: string): Factor => {
    const factor = factors.get(id);
    if (!factor) throw new HttpError(404, notFoundBody(`Authentication Factor not found: '${id}'.`));
    return factor;
  };

  router.post('/auth/factors/enroll', async (req: Request, res: Response) => {
    const body = parseInput(enrollBody, req.body);
    const now = ctx.clock.now();
    const factor: Factor = { id: prefixedId('auth_factor', now), type: body.type, createdAt: now };
    if (body.type === 'totp') {
      const secret = newTotpSecret();
      const uri = totpUri(body.totp_issuer, body.totp_user, secret);
      factor.totp = { issuer: body.totp_issuer, user: body.totp_user, secret, uri, qrCode: await qrCodeDataUri(uri) };
    } else if (body.type === 'sms') {
      if (!E164.test(body.phone_number)) {
        throw new HttpError(422, { code: 'invalid_phone_number', message: `Phone number '${body.phone_number}' is invalid: use E.164, e.g. +15005550006.` });
      }
      factor.sms = { phoneNumber: body.phone_number };
    }
    factors.set(factor.id, factor);
    sendJson(res, 201, factorJson(factor, true));
  });

  router.get('/auth/factors/:id', (req: Request, res: Response) => {
    sendJson(res, 200, factorJson(factorOr404(String(req.params.id)), false));
  });

  router.delete('/auth/factors/:id', (req: Request, res: Response) => {
    factors.delete(factorOr404(String(req.params.id)).id);
    res.status(204).end();
  });

  router.post('/auth/factors/:id/challenge', (req: Request, res: Response) => {
    const factor = factorOr404(String(req.params.id));
    const body = parseInput(challengeBody, req.body);
    const now = ctx.clock.now();
    const code = factor.type === 'totp' ? undefined : sixDigits();
    const challenge: Challenge = {
      id: prefixedId('auth_challenge', now),
      factorId: factor.id,
      createdAt: now,
      updatedAt: now,
      // "Does not apply to totp factors": a TOTP challenge never expires.
      expiresAt: factor.type === 'totp' ? undefined : now + CHALLENGE_TTL_MS,
      code,
      attempts: 0,
      verified: false,
    };
    if (factor.sms && code !== undefined) {
      const text = (body.sms_template ?? DEFAULT_SMS_TEMPLATE).replace(/\{\{\s*code\s*\}\}/g, code);
      ctx.outbox.record({ kind: 'sms', to: factor.sms.phoneNumber, body: text, code });
    }
    challenges.set(challenge.id, challenge);
    sendJson(res, 201, challengeJson(challenge, factor.type));
  });

  router.post('/auth/challenges/:id/verify', (req: Request, res: Response) => {
    const id = String(req.params.id);
    const challenge = challenges.get(id);
    const factor = challenge && factors.get(challenge.factorId);
    if (!challenge || !factor) throw new HttpError(404, notFoundBody(`Authentication Challenge not found: '${id}'.`));
    const { code } = parseInput(verifyBody, req.body);
    const now = ctx.clock.now();
    if (challenge.verified) {
      throw new HttpError(422, { code: 'authentication_challenge_previously_verified', message: `The authentication challenge '${id}' has already been verified.` });
    }
    if (challenge.expiresAt !== undefined && challenge.expiresAt <= now) {
      throw new HttpError(422, { code: 'authentication_challenge_expired', message: `The authentication challenge '${id}' has expired.` });
    }
    challenge.attempts += 1;
    if (challenge.attempts > MAX_VERIFY_ATTEMPTS) {
      throw new HttpError(400, { code: 'one_time_code_too_many_attempts', message: 'Too many attempts were made for this one-time code. Start a new challenge.' });
    }
    const valid = factor.totp ? verifyTotp(code, factor.totp.secret, now) : code === challenge.code;
    if (valid) {
      challenge.verified = true;
      challenge.updatedAt = now;
    }
    sendJson(res, 201, { challenge: challengeJson(challenge, factor.type), valid });
  });

  return router;
}
