// The shape of every rate limit in the config: `points` attempts per `durationSeconds`, then optionally blocked.
import { z } from 'zod';

export const limitSchema = z
  .object({
    points: z.number().int().min(1).max(100),
    durationSeconds: z.number().int().min(1),
    blockSeconds: z.number().int().min(0).optional(),
  })
  .strict();

export type LimitConfig = z.output<typeof limitSchema>;

/**
 * A limit whose block grows: `points` attempts per `durationSeconds`, then a block of `blockSeconds` that doubles
 * with each block of the same account within the long window, up to `maxBlockSeconds`.
 */
export const backoffLimitSchema = z
  .object({
    points: z.number().int().min(1).max(100),
    durationSeconds: z.number().int().min(1),
    blockSeconds: z.number().int().min(1),
    maxBlockSeconds: z.number().int().min(1),
  })
  .strict()
  .refine((l) => l.maxBlockSeconds >= l.blockSeconds, { path: ['maxBlockSeconds'], message: 'must not be shorter than blockSeconds' });

export type BackoffLimitConfig = z.output<typeof backoffLimitSchema>;
