// Synchronizer-token CSRF protection: one random token per session, sent back in the `_csrf` field
// (or the `x-csrf-token` header) of every POST and compared in constant time.
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { safeEqual } from '../core/compare.ts';
import { LoginError } from '../errors.ts';
import { loginState } from './session.ts';

export function csrfToken(req: Request): string {
  const state = loginState(req);
  state.csrf ??= randomBytes(32).toString('base64url');
  return state.csrf;
}

/**
 * Refuses state-changing requests that do not carry this session's token (403). A form that came back without
 * any cookie gets its own message (the browser did not return the session cookie), and `onNoCookie` hears of it.
 */
export function verifyCsrf(onNoCookie: (req: Request) => void = () => {}): (req: Request, res: Response, next: NextFunction) => void {
  return (req, _res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const expected = req.session?.workosLogin?.csrf;
    const body = req.body as Record<string, unknown> | undefined;
    const sent = typeof body?._csrf === 'string' ? body._csrf : req.get('x-csrf-token');
    if (!expected && !req.get('cookie')) {
      onNoCookie(req);
      return next(new LoginError('csrf_no_cookie', 403));
    }
    if (!expected || typeof sent !== 'string' || !safeEqual(expected, sent)) return next(new LoginError('csrf', 403));
    next();
  };
}
