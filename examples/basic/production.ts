// Production mode of the example, for several instances behind a load balancer: PostgreSQL through
// @prisma/adapter-pg, sessions in Redis (connect-redis), and the rate limits (with the TOTP used-code cache, which
// lives on the same store) in Redis. `server.ts` switches it on when DATABASE_URL is a postgres:// URL and
// REDIS_URL is set. Tested with PostgreSQL 15 and Redis 7.0.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import RedisStore from 'connect-redis';
import { Redis } from 'ioredis';
import type { WorkosLoginConfig } from '../../src/index.ts';
import { PrismaClient } from '../../generated/postgres/client.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ProductionParts {
  prisma: InstanceType<typeof PrismaClient>;
  redis: Redis;
  sessionStore: RedisStore;
  rateLimit: NonNullable<WorkosLoginConfig['rateLimit']>;
  close(): Promise<void>;
}

export interface ProductionOptions {
  databaseUrl: string;
  redisUrl: string;
  /** The PostgreSQL schema (default `public`). */
  schema?: string;
  /** Apply the committed migrations first (one instance is enough). Default true. */
  migrate?: boolean;
  /** Prefix of every Redis key (sessions and rate limits), so that several apps can share one Redis. */
  redisPrefix?: string;
}

export async function openProduction(options: ProductionOptions): Promise<ProductionParts> {
  const { databaseUrl, redisUrl, schema, redisPrefix = 'ewl-example:' } = options;
  if (options.migrate !== false) {
    const url = schema ? `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}schema=${schema}` : databaseUrl;
    const r = spawnSync(process.execPath, [join(root, 'scripts/prisma.mjs'), 'postgres', 'migrate', 'deploy'], { cwd: root, env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`could not migrate the PostgreSQL database:\n${r.stdout}\n${r.stderr}`);
  }
  // The client ignores ?schema= in the URL: the adapter takes it.
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }, schema ? { schema } : undefined) });
  // No offline queue: while Redis is down, commands fail at once (an error page) instead of piling up; ioredis
  // reconnects by itself, and the next request works again.
  const redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  return {
    prisma,
    redis,
    sessionStore: new RedisStore({ client: redis, prefix: `${redisPrefix}sess:` }),
    rateLimit: { store: { redis }, keyPrefix: `${redisPrefix}rl` },
    async close() {
      redis.disconnect();
      await prisma.$disconnect();
    },
  };
}
