// The login page, shared by step 1 (the username) and the password form of step 2, and by methods that send a
// person back to it with a message (SSO refusals, a throttled password).
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Context } from '../context.ts';
import { messageFor, type LoginErrorCode } from '../errors.ts';

/** Usernames and email addresses are at most this long (RFC 5321's path limit). */
export const MAX_NAME = 320;

/** The login form's fields, as every handler of POST login/ reads them. */
export const loginBody = z.object({
  // Over-long names are kept (and refused with their own message) so the form can say what is wrong.
  username: z.string().default('').catch(''),
  // Passwords are checked exactly as typed; one past the cap can never match, so it becomes an empty (failing) one.
  password: z.string().max(4096).optional().catch(''),
  next: z.string().max(2048).default('').catch(''),
});

export interface LoginPageData {
  step: 'username' | 'password';
  username: string;
  next: string;
}

export interface LoginPageOptions {
  status?: number;
  /** Error codes whose text the page shows, then any extra lines (e.g. the IdP's own description). */
  errors?: readonly LoginErrorCode[];
  extra?: readonly string[];
}

export function renderLoginPage(ctx: Context, req: Request, res: Response, data: LoginPageData, options: LoginPageOptions = {}): void {
  const texts = [...(options.errors ?? []).map((code) => messageFor(code)), ...(options.extra ?? [])];
  // The empty name form (what every anonymous visitor gets first) is rendered once and reused with each token.
  const reusable = data.step === 'username' && data.username === '' && texts.length === 0;
  ctx.renderer.render(req, res, 'login', { ...data, home_url: ctx.config.loginRedirectUrl }, { status: options.status ?? 200, messages: texts.map((text) => ({ level: 'error', text })), reusable });
}
