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
