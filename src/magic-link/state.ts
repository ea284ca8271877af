// The pending magic-link login of this browser session, kept server-side under `loginState(req).magic`: who asked,
// under which rule, where to go next, until when, and the nonce that ties the link to this session.
import type { Request } from 'express';
import { loginState } from '../http/session.ts';
import { isUserId, type UserId } from '../user-types.ts';

export type MagicMethod = 'magic' | 'email_mfa';
export type MagicProvider = 'workos' | 'local';

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
