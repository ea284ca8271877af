// A fuller host than the quick start: sessions and the rate limiter in Redis, helmet, its own logo template, a page
// behind requireLogin and event listeners. No top-level await and no import.meta: it also compiles as CommonJS.
import { join } from 'node:path';
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { createClient } from 'redis';
import { recommendedSessionOptions, workosLogin, type PrismaLike } from 'express-workos-login';
import './types.ts';

type Redis = ReturnType<typeof createClient>;

export interface FullOptions {
  prisma: PrismaLike;
  redis: Redis;
  baseUrl: string;
  keyPrefix: string;
}

export function createFullApp({ prisma, redis, baseUrl, keyPrefix }: FullOptions) {
  const login = workosLogin({
    prisma,
    baseUrl,
    emailLookup: true,
    templateDirs: [join(process.cwd(), 'views')],
    rateLimit: { store: { redis, useRedisPackage: true }, keyPrefix },
  });
  login.on('login', ({ user, method }) => console.log(`[event] login ${user.username} ${user.id} ${user.displayName} ${method}`));
  login.on('loginFailed', ({ username, reason }) => console.log(`[event] loginFailed ${username} ${reason}`));

  const app = express();
  app.use(helmet());
  app.use(session(recommendedSessionOptions({ secret: process.env.SESSION_SECRET!, store: new RedisStore({ client: redis, prefix: `${keyPrefix}:sess:` }), baseUrl })));
  app.use(login.loadUser);
  app.use('/accounts', login);
  app.get('/private', login.requireLogin, (req, res) => {
    const user = req.user!;
    const name: string = user.displayName.toUpperCase();
    res.json({ id: user.id, username: user.username, displayName: name, hasPassword: user.hasPassword });
  });
  app.post('/end-my-sessions', login.requireLogin, async (req, res) => {
    await login.endSessions(req.user!.id);
    res.json({ ended: true });
  });
  return { app, login };
}
