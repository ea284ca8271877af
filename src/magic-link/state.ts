// The pending magic-link login of this browser session, kept server-side under `loginState(req).magic`: who asked,
// under which rule, where to go next, until when, and the nonce that ties the link to this session. A pending
// Magic Auth code lives under `loginState(req).magicCode`: the code is only accepted in the session that asked.
import type { Request } from 'express';
import { loginState } from '../http/session.ts';
import { isUserId, type UserId } from '../user-types.ts';

export type MagicMethod = 'magic' | 'email_mfa';
export type MagicProvider = 'workos' | 'workos-magic-auth' | 'local';

export interface MagicPending {
  provider: MagicProvider;
  method: MagicMethod;
  /** WorkOS: the random `state` sent with the passwordless session. Local: the hash of the token issued here. */
  nonce: string;
  userId: UserId;
  ruleId: number;
  /** Already validated; checked again when consumed. */
  next: string;
  /** Epoch ms; for email_mfa also the end of the half-login. */
  expiresAt: number;
}

export function readPending(req: Request, now: number): MagicPending | null {
  const raw = loginState(req).magic as Partial<MagicPending> | undefined;
  if (!raw || typeof raw !== 'object') return null;
  const { provider, method, nonce, userId, ruleId, next, expiresAt } = raw;
  if ((provider !== 'workos' && provider !== 'local') || (method !== 'magic' && method !== 'email_mfa')) return null;
  if (typeof nonce !== 'string' || !isUserId(userId) || typeof ruleId !== 'number' || typeof next !== 'string') return null;
  if (typeof expiresAt !== 'number' || expiresAt <= now) return null;
  return { provider, method, nonce, userId, ruleId, next, expiresAt };
}

export function setPending(req: Request, pending: MagicPending): void {
  loginState(req).magic = { ...pending };
}

export function clearPending(req: Request): void {
  delete loginState(req).magic;
}

/** A Magic Auth code this session asked for (or a stand-in, so that unknown addresses get the same page and answers). */
export interface CodePending {
  method: MagicMethod;
  /** Random: keys this code's attempt counter in the shared rate-limit store. */
  nonce: string;
  /** What the person typed, for `loginFailed`. */
  typed: string;
  /** Null for a stand-in: nobody got a code, and every code is answered as a wrong one. */
  userId: UserId | null;
  ruleId: number | null;
  /** Already validated; checked again when used. */
  next: string;
  /** Epoch ms. */
  expiresAt: number;
}

export function readCodePending(req: Request, now: number): CodePending | null {
  const raw = loginState(req).magicCode as Partial<CodePending> | undefined;
  if (!raw || typeof raw !== 'object') return null;
  const { method, nonce, typed, userId, ruleId, next, expiresAt } = raw;
  if ((method !== 'magic' && method !== 'email_mfa') || typeof nonce !== 'string' || typeof typed !== 'string' || typeof next !== 'string') return null;
  if ((userId !== null && !isUserId(userId)) || (ruleId !== null && typeof ruleId !== 'number')) return null;
  if (typeof expiresAt !== 'number' || expiresAt <= now) return null;
  return { method, nonce, typed, userId: userId ?? null, ruleId: ruleId ?? null, next, expiresAt };
}

export function setCodePending(req: Request, pending: CodePending): void {
  loginState(req).magicCode = { ...pending };
}

export function clearCodePending(req: Request): void {
  delete loginState(req).magicCode;
}
