// The SSO logins this browser session started, kept server-side under `loginState(req).sso`. The `state` sent to
// WorkOS is 32 random bytes; only its SHA-256 is stored, with the rule, the typed name, the user the login started
// for, `next` and an expiry. A callback's state is looked up in constant time and removed before anything else
// happens (single use). At most a few logins may be pending at once (several tabs); the oldest is dropped.
import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { safeEqual } from '../core/compare.ts';
import { loginState } from '../http/session.ts';
import { isUserId, type UserId } from '../user-types.ts';

export const MAX_PENDING = 5;

export interface SsoPending {
  ruleId: number;
  /** What the person typed at step 1 (shown again if the login is refused). */
  typed: string;
  /** The user the login started for, or null for an unknown name. */
  userId: UserId | null;
  /** Already validated; checked again when used. */
  next: string;
  /** Epoch ms. */
  expiresAt: number;
}

interface Stored extends SsoPending {
  /** base64url SHA-256 of the state. */
  hash: string;
}

export type TakeResult = { ok: true; pending: SsoPending } | { ok: false; code: 'sso_state_invalid' | 'sso_state_expired' };

const digest = (state: string): Buffer => createHash('sha256').update(state, 'utf8').digest();

function stored(req: Request): Stored[] {
  const raw = (loginState(req).sso as { pending?: unknown } | undefined)?.pending;
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (p): p is Stored =>
      !!p &&
      typeof p === 'object' &&
      typeof (p as Stored).hash === 'string' &&
      typeof (p as Stored).ruleId === 'number' &&
      typeof (p as Stored).typed === 'string' &&
      (isUserId((p as Stored).userId) || (p as Stored).userId === null) &&
      typeof (p as Stored).next === 'string' &&
      typeof (p as Stored).expiresAt === 'number',
  );
}

function write(req: Request, pending: Stored[]): void {
  if (pending.length === 0) delete loginState(req).sso;
  else loginState(req).sso = { pending };
}

/** Records a new pending login and returns its state (to send to WorkOS, never to keep). */
export function addPending(req: Request, pending: SsoPending, now: number): string {
  const state = randomBytes(32).toString('base64url');
  const kept = stored(req).filter((p) => p.expiresAt > now);
  kept.push({ ...pending, hash: digest(state).toString('base64url') });
  write(req, kept.slice(-MAX_PENDING));
  return state;
}

/**
 * Finds and removes the pending login a callback's state belongs to. Every stored entry is compared (in constant
 * time), so the answer's timing does not depend on which one matched. Expired entries are dropped on the way.
 */
export function takePending(req: Request, state: string, now: number): TakeResult {
  const wanted = digest(state);
  const all = stored(req);
  let match: Stored | null = null;
  for (const p of all) {
    if (safeEqual(Buffer.from(p.hash, 'base64url'), wanted)) match = p;
  }
  write(req, all.filter((p) => p !== match && p.expiresAt > now));
  if (!match) return { ok: false, code: 'sso_state_invalid' };
  if (match.expiresAt <= now) return { ok: false, code: 'sso_state_expired' };
  const { hash: _hash, ...pending } = match;
  return { ok: true, pending };
}
