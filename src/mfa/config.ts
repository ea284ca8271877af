// The `mfa` config section: the half-login after the password, code and SMS limits, and the SMS text.
import { z } from 'zod';
import { limitSchema } from '../core/limit.ts';
import type { UserId } from '../user-types.ts';

/** The user the SMS template function receives. */
export interface SmsTemplateUser {
  id: UserId;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
}

const smsTemplate = z.union([
  z.string().refine((s) => s.includes('{{code}}'), { message: 'must contain {{code}}' }),
  z.custom<(user: SmsTemplateUser) => string>((v) => typeof v === 'function', { message: 'expected a string or a function' }),
]);

export const mfaConfigSchema = z
  .object({
    /** Time from the correct password to the second factor. */
    pendingTtlSeconds: z.number().int().min(60).max(3600).default(600),
    /** Wrong codes (or recovery codes) before the half-login ends and the password is asked again. */
    maxAttempts: z.number().int().min(1).max(20).default(5),
    /** Code attempts per user, across half-logins and app instances (reset on success). */
    verifyLimit: limitSchema.default({ points: 10, durationSeconds: 900, blockSeconds: 900 }),
    /** SMS codes sent per user (per client IP: ten times as many, at most 100). */
    smsSendLimit: limitSchema.default({ points: 5, durationSeconds: 3600 }),
    /** The SMS text (with `{{code}}`), or a function of the user that returns it. */
    smsTemplate: smsTemplate.default('Your authentication code is {{code}}'),
  })
  .strict()
  .prefault({});

export type MfaConfig = z.output<typeof mfaConfigSchema>;
