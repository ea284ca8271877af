// The rules for a new password (reset and change share them) and how a refusal reads.
import { z } from 'zod';
import type { Context } from '../context.ts';
import { messageFor, type LoginErrorCode } from '../errors.ts';
import type { Message } from '../http/render.ts';

const MAX_PASSWORD = 1024;

// A repeated field arrives as an array: it is refused as a wrong entry, never a 500. Length is checked below
// (the body parser already caps the whole form).
const typed = z.string().catch('');

export const newPasswordBody = z.object({ new_password1: typed, new_password2: typed });
export const changePasswordBody = newPasswordBody.extend({ old_password: z.string().max(8192).catch('') });

export class NewPasswordRules {
  /** The hint under the new-password fields. */
  readonly hint: string;

  constructor(private readonly ctx: Context) {
    this.hint = `At least ${ctx.config.password.minLength} characters. Any characters are allowed.`;
  }

  check(p1: string, p2: string): LoginErrorCode | null {
    if (p1 !== p2) return 'password_mismatch';
    if ([...p1].length < this.ctx.config.password.minLength) return 'password_too_short';
    if (p1.length > MAX_PASSWORD) return 'password_too_long';
    return null;
  }

  messages(code: LoginErrorCode): Message[] {
    return [{ level: 'error', text: messageFor(code, { min: this.ctx.config.password.minLength, max: MAX_PASSWORD }) }];
  }
}
