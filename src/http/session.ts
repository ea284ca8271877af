// Everything the library keeps in the session lives under `req.session.workosLogin`, the logged-in user too: a
// host's own Passport (`req.session.passport`) never sees the library's data, nor the library the host's.
// Session hygiene lives here: regenerate on login and logout, save before redirecting.
import type { Request } from 'express';
import type { Session, SessionData } from 'express-session';
import { ConfigError } from '../errors.ts';
import type { UserId } from '../user-types.ts';

export interface AuthStamp {
  /** When the user logged in (ms): for the absolute timeout. */
  at: number;
  /** Last request seen (ms): for the idle timeout. */
  seen: number;
}

export interface WorkosLoginSessionState {
  /** The logged-in user (id and session version), set only by a complete login. */
  user?: SerializedUser;
  csrf?: string;
  auth?: AuthStamp;
  /** Flash messages shown on the next page. */
  flash?: { level: 'info' | 'success' | 'error'; text: string }[];
  /** Room for method flows (MFA half-login, SSO state, ...), each under its own key. */
  [flow: string]: unknown;
}

export interface SerializedUser {
  id: UserId;
  /** The user's sessionVersion at login: a bump ends this session. */
  v: number;
}

declare module 'express-session' {
  interface SessionData {
    workosLogin?: WorkosLoginSessionState;
  }
}

export const MISSING_SESSION_MESSAGE =
  'express-workos-login needs express-session: add `app.use(session({...}))` before `app.use(\'/accounts\', workosLogin(config))` ' +
  '(see README "Quick start"; use a shared store such as Redis or your database when you run more than one instance).';

export function requireSession(req: Request): Session & Partial<SessionData> {
  if (!req.session) throw new ConfigError(MISSING_SESSION_MESSAGE);
  return req.session;
}

export function loginState(req: Request): WorkosLoginSessionState {
  const session = requireSession(req);
  session.workosLogin ??= {};
  return session.workosLogin;
}

export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => requireSession(req).save((err: unknown) => (err ? reject(err) : resolve())));
}

export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => requireSession(req).regenerate((err: unknown) => (err ? reject(err) : resolve())));
}

export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => requireSession(req).destroy((err: unknown) => (err ? reject(err) : resolve())));
}

export function flash(req: Request, level: 'info' | 'success' | 'error', text: string): void {
  const state = loginState(req);
  state.flash = [...(state.flash ?? []), { level, text }];
}

export function takeFlash(req: Request): { level: string; text: string }[] {
  if (!req.session?.workosLogin?.flash) return [];
  const messages = req.session.workosLogin.flash;
  delete req.session.workosLogin.flash;
  return messages;
}
