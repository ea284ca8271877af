// Rate-limit counters in the host's database (`rateLimit.store: 'database'`): rate-limiter-flexible's Prisma store
// on the RateLimiterFlexible model.
import rlf from 'rate-limiter-flexible';
import { ConfigError } from '../errors.ts';
import type { DatabaseLimiters } from './ports.ts';
import { hasModel, type PrismaLike } from './types.ts';

const { RateLimiterPrisma } = rlf;

/** Checked at start-up: a missing model is a config error that names the fix. */
export function databaseLimiters(prisma: PrismaLike): DatabaseLimiters {
  if (!hasModel(prisma, 'rateLimiterFlexible')) {
    throw new ConfigError('express-workos-login: invalid config:\n  - rateLimit.store: "database" needs the RateLimiterFlexible model from prisma/workos-login.prisma', [
      'rateLimit.store: the RateLimiterFlexible model is missing from the Prisma client',
    ]);
  }
  return (opts) => new RateLimiterPrisma({ ...opts, storeClient: prisma, tableName: 'rateLimiterFlexible', clearExpiredByTimeout: false });
}
