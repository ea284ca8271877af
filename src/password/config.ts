// The `password` config section: hashing, the new-password rules and password reset. Defaults are written here once.
import { z } from 'zod';
import { limitSchema } from '../core/limit.ts';

/** The bcrypt cost of `password.bcryptCost` and of `hashPassword(password)` when none is given. */
export const DEFAULT_BCRYPT_COST = 12;

export const passwordConfigSchema = z
  .object({
    /** bcrypt cost for new hashes; stored hashes with a lower cost are upgraded at the next login. */
    bcryptCost: z.number().int().min(4).max(15).default(DEFAULT_BCRYPT_COST),
    /** Shortest new password, in characters (any characters are allowed). */
    minLength: z.number().int().min(1).max(128).default(8),
    /** How long a password reset link may be used. */
    resetTtlSeconds: z.number().int().min(60).max(86_400).default(3600),
    /** Reset emails per address (per client IP: ten times as many, at most 100). */
    resetLimit: limitSchema.default({ points: 5, durationSeconds: 3600 }),
  })
  .strict()
  .prefault({});

export type PasswordConfig = z.output<typeof passwordConfigSchema>;
