// The half-login between a correct password and the second factor. It lives in the session under
// `workosLogin.mfa`, expires, and is never an authenticated session: Passport's key stays empty, so
// `req.user` is unset and `requireLogin` still redirects. Factor and challenge ids live only here.
import type { Request } from 'express';
import { z } from 'zod';
import { loginState } from '../http/session.ts';
import { isUserId, type UserId } from '../user-types.ts';

const challengeSchema = z.object({
  /** WorkOS challenge id: never read from a form. */
  id: z.string(),
  /** The WorkOS factor the challenge belongs to (a challenge for another factor is ignored). */
  factorId: z.string(),
  sentAt: z.number(),
});

const enrollmentSchema = z.object({
  /** WorkOS factor id of the factor being enrolled: saved to the database only after a code verifies. */
  factorId: z.string(),
  type: z.enum(['totp', 'sms']),
  phoneNumber: z.string().optional(),
  /** What the enrollment page shows until the first code verifies (deleted then). */
  totp: z.object({ secret: z.string(), qrCode: z.string(), issuer: z.string(), account: z.string() }).optional(),
});

const pendingSchema = z.object({
  userId: z.custom<UserId>(isUserId),
  ruleId: z.number().int(),
  /** Validated same-origin path, kept through the whole flow. */
  next: z.string(),
  /** ms on the router's clock. */
  expiresAt: z.number(),
  /** Wrong codes during this half-login. */
  attempts: z.number().int().min(0),
  /** The user's sessionVersion at the password step: resetMfa, endSessions or deactivation end the half-login. */
  v: z.number().int(),
  challenge: challengeSchema.optional(),
  enrollment: enrollmentSchema.optional(),
  /** The first factor was just enrolled and verified; only the recovery-codes page remains before login. */
  passed: z.boolean().optional(),
  /**
   * Started by a logged-in user replacing their factor (mfa/), after re-authentication and the removal of the old
   * one: enrollment is owed as if they still had a factor, also under a rule that does not require MFA.
   */
  replacing: z.boolean().optional(),
});

export type PendingMfa = z.infer<typeof pendingSchema>;
export type PendingChallenge = z.infer<typeof challengeSchema>;
export type PendingEnrollment = z.infer<typeof enrollmentSchema>;

const KEY = 'mfa';

export function startPending(req: Request, value: Omit<PendingMfa, 'attempts'>): PendingMfa {
  const pending: PendingMfa = { ...value, attempts: 0 };
  loginState(req)[KEY] = pending;
  return pending;
}

/** The half-login of this session, or null. A malformed value (e.g. from an older version) is dropped. */
export function readPending(req: Request): PendingMfa | null {
  const raw = req.session?.workosLogin?.[KEY];
  if (raw === undefined) return null;
  const parsed = pendingSchema.safeParse(raw);
  if (!parsed.success) {
    endPending(req);
    return null;
  }
  // Work on the stored object so changes are saved with the session.
  return raw as PendingMfa;
}

export function endPending(req: Request): void {
  if (req.session?.workosLogin) delete req.session.workosLogin[KEY];
}
