// Who may use the admin pages: only a fully logged-in user (a half-login has no `req.user`) whom `admin.allow`
// accepts (default: staff or superusers). There is no second login form: anonymous visitors go to the rule-aware
// login page. Destructive actions also need a recent proof of the person: their login, or a password or code
// confirmed on the re-authentication page within `admin.reauthSeconds`.
import type { Request, RequestHandler } from 'express';
import type { Context } from '../context.ts';
import { auditContext } from '../context.ts';
import { isSafeNextPath } from '../core/next-url.ts';
import type { AdminActor, PublicUser } from '../events.ts';
import { loginRequired } from '../http/auth.ts';
import { flash, loginState, saveSession } from '../http/session.ts';
import type { AdminAllow } from './config.ts';

const defaultAllow: AdminAllow = (user) => user.isStaff || user.isSuperuser;

/** The session's record of the last re-authentication on the admin's page (ms on the router's clock). */
interface ReauthState {
  at?: number;
  /** A pending SMS challenge for a code re-authentication. */
  challenge?: { id: string; factorId: string };
}

export function reauthState(req: Request): ReauthState {
  const state = loginState(req);
  const value = state.adminReauth;
  if (value && typeof value === 'object') return value as ReauthState;
  const fresh: ReauthState = {};
  state.adminReauth = fresh;
  return fresh;
}

/** The admin's own URL prefix (`<mount>/admin`). The admin's routes are mounted with the router's own, so that the
 * shared page links (`urls.login`, the stylesheet) stay right. */
export function adminBase(req: Request): string {
  return `${req.baseUrl}/admin`;
}

/** The logged-in user as the admin acts for them. */
export function adminUser(req: Request): PublicUser {
  return req.user as unknown as PublicUser;
}

export function actorOf(req: Request): AdminActor {
  const user = adminUser(req);
  return { type: 'user', id: user.id, username: user.username, ...auditContext(req) };
}

/**
 * For every path under `/admin`: logged in (anonymous HTML requests go to the login page, others get 401), then
 * allowed (else 403). Other paths pass untouched.
 */
export function adminAccess(ctx: Context): RequestHandler {
  const allow = ctx.config.admin.allow ?? defaultAllow;
  const loggedIn = loginRequired(ctx, () => ctx.config.loginUrl);
  const allowed: RequestHandler = async (req, res, next) => {
    let ok = false;
    try {
      ok = (await allow(adminUser(req))) === true;
    } catch (err) {
      // A failing `allow` refuses (fail closed) and is logged for the host to fix.
      ctx.config.logger.error('express-workos-login: admin.allow(user) threw; access refused', { error: err instanceof Error ? err.message : String(err) });
    }
    if (ok) return next();
    if (!req.accepts('html')) {
      res.status(403).json({ error: 'admin_forbidden' });
      return;
    }
    ctx.renderer.render(req, res, 'admin_forbidden', {}, { status: 403 });
  };
  return (req, res, next) => {
    if (req.path !== '/admin' && !req.path.startsWith('/admin/')) return next();
    loggedIn(req, res, (err?: unknown) => (err ? next(err) : allowed(req, res, next)));
  };
}

/** When the person last proved who they are: their login, or a re-authentication on the admin's page. */
export function lastProof(req: Request): number {
  const state = loginState(req);
  const auth = state.auth as { at?: number } | undefined;
  return Math.max(auth?.at ?? 0, reauthState(req).at ?? 0);
}

/** For destructive POSTs: without a recent proof, send the person to the re-authentication page (nothing is done). */
export function requireRecentAuth(ctx: Context): RequestHandler {
  return async (req, res, next) => {
    if (ctx.now() - lastProof(req) <= ctx.config.admin.reauthSeconds * 1000) return next();
    flash(req, 'info', 'Please confirm it is you before this change.');
    await saveSession(req);
    // Back to the page the form was on (same origin only), then the person submits again.
    const back = safeAdminPath(req.get('referer'), req, ctx.config.baseUrl) ?? `${adminBase(req)}/`;
    res.redirect(303, `${adminBase(req)}/reauth/?next=${encodeURIComponent(back)}`);
  };
}

/** A path under the admin's mount, from a same-host Referer or a `next` path; undefined for anything else. */
export function safeAdminPath(value: string | undefined, req: Request, publicOrigin?: string): string | undefined {
  if (!value) return undefined;
  let path = value;
  if (!value.startsWith('/')) {
    try {
      const url = new URL(value);
      if (url.origin !== publicOrigin && url.host !== req.get('host')) return undefined;
      path = url.pathname + url.search;
    } catch {
      return undefined;
    }
  }
  return isSafeNextPath(path) && path.startsWith(`${adminBase(req)}/`) ? path : undefined;
}
