// Logging in and out, loading the user on every request, idle/absolute timeouts and `requireLogin`.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Context } from '../context.ts';
import { auditContext, publicUser, ruleRef } from '../context.ts';
import { safeNext } from '../core/next-url.ts';
import type { LoginRule } from '../core/rules.ts';
import type { UserRow } from '../db/types.ts';
import { messageFor } from '../errors.ts';
import { flash, loginState, regenerateSession, requireSession, saveSession, type SerializedUser } from './session.ts';

/** Full login: a new session id, the user stamped into it, an audit event, then the redirect to `next`. */
export async function completeLogin(
  ctx: Context,
  req: Request,
  res: Response,
  user: UserRow,
  rule: LoginRule | null,
  next: string,
): Promise<void> {
  // A new session id (fixation defence) that keeps nothing from before the login.
  await regenerateSession(req);
  const now = ctx.now();
  const state = loginState(req);
  state.user = { id: user.id, v: user.sessionVersion } satisfies SerializedUser;
  state.auth = { at: now, seen: now };
  await ctx.users.recordLogin(user.id);
  req.user = publicUser(user) as Express.User;
  ctx.events.emit('login', { ...auditContext(req), user: publicUser(user), rule: ruleRef(rule), method: rule?.method ?? 'password' });
  await saveSession(req);
  res.redirect(303, safeNext(next, ctx.config.loginRedirectUrl));
}

/** Ends the login: the server-side session is destroyed and a fresh, empty one replaces it. */
export async function logout(ctx: Context, req: Request): Promise<void> {
  const user = req.user ? (req.user as unknown as ReturnType<typeof publicUser>) : null;
  requireSession(req);
  delete loginState(req).user;
  req.user = undefined;
  // The old session (and its id) ends; a fresh, empty one replaces it.
  await regenerateSession(req);
  ctx.events.emit('logout', { ...auditContext(req), user });
}

/**
 * Populates `req.user` from the library's own session key and enforces the idle and absolute timeouts and the
 * session version (a password change or deactivation ends other sessions on their next request).
 */
async function loadSessionUser(ctx: Context, req: Request): Promise<void> {
  const session = requireSession(req);
  const serialized = session.workosLogin?.user;
  if (!serialized) return;
  const state = loginState(req);
  const now = ctx.now();
  const { idleTimeoutSeconds, absoluteTimeoutSeconds } = ctx.config.session;
  const auth = state.auth;
  if (!auth || now - auth.at > absoluteTimeoutSeconds * 1000 || now - auth.seen > idleTimeoutSeconds * 1000) {
    delete state.user;
    delete state.auth;
    flash(req, 'info', messageFor('session_expired'));
    return;
  }
  const user = await ctx.users.findSessionUser(serialized.id);
  // A stale version means the password changed or all sessions were ended: this session is over.
  if (!user || user.sessionVersion !== serialized.v) {
    delete state.user;
    delete state.auth;
    return;
  }
  req.user = publicUser(user) as Express.User;
  // Touch at most once a minute so most requests do not rewrite the session.
  if (now - auth.seen > 60_000) auth.seen = now;
}

/** Redirects anonymous visitors to the login page (with `next`), or answers 401 to non-HTML requests. */
export function loadUserMiddleware(ctx: Context): RequestHandler {
  // Hosts mount `loadUser` app-wide and the router runs it again: do the work (a user query) once per request.
  const done = Symbol('express-workos-login user loaded');
  return (req, _res, next) => {
    const marked = req as unknown as Record<symbol, boolean>;
    if (marked[done]) return next();
    marked[done] = true;
    // An anonymous session has nothing to load: no promise, no tick. (No session at all is a setup error, which
    // loadSessionUser reports.)
    if (req.session && !req.session.workosLogin?.user) return next();
    loadSessionUser(ctx, req).then(() => next(), next);
  };
}

export function requireLoginMiddleware(loadUser: RequestHandler, check: RequestHandler): RequestHandler {
  return chain([loadUser, check]);
}

/** Runs handlers in order as one middleware, so hosts can write `app.get(path, login.requireLogin, handler)`. */
export function chain(handlers: RequestHandler[]): RequestHandler {
  return (req, res, done) => {
    let i = 0;
    const step = (err?: unknown): void => {
      if (err) return done(err);
      const handler = handlers[i++];
      if (!handler) return done();
      try {
        void handler(req, res, step);
      } catch (e) {
        done(e);
      }
    };
    step();
  };
}

/** The check alone, for routes that already ran `loadUserMiddleware`. */
export function loginRequired(ctx: Context, loginPath: () => string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.user) return next();
    if (!req.accepts('html')) {
      res.status(401).json({ error: 'login_required' });
      return;
    }
    const target = safeNext(req.originalUrl, ctx.config.loginRedirectUrl);
    res.redirect(303, `${loginPath()}?next=${encodeURIComponent(target)}`);
  };
}
