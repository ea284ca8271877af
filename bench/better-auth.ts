// better-auth as a peer, built as its docs build an Express app: `toNodeHandler(auth)` on /api/auth, its own
// tables through its built-in Kysely adapter (a better-sqlite3 file of its own, or a pg Pool on a schema of its
// own, so its `user`/`session` tables never meet Prisma's), email + password sign-in, sessions in its database.
//
// Fairness:
// - better-auth hashes with scrypt by default (N=16384, r=16), far dearer than bcrypt at cost 4. The bench runs it
//   twice: as its users run it (`hash: 'scrypt'`, its default, which the outside benchmark measured), and
//   given the same bcrypt at the same cost through its `emailAndPassword.password` hooks (`hash: 'bcrypt'`), so
//   that both sides pay for the same hash and only the framework's own cost differs.
// - better-auth signs in in one step (no username step), so its login is three requests, not four: GET the form
//   page (a Nunjucks page of the library's login page size, rendered by the host app as better-auth apps do),
//   POST /api/auth/sign-in/email, GET a protected page that calls `auth.api.getSession`. One request fewer is in
//   better-auth's favour.
// - Its rate limiter is off, as the library's is in the bench; its CSRF defence (the Origin check) stays on, so
//   the sign-in sends an Origin header, as a browser does.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import Database from 'better-sqlite3';
import express, { type Express } from 'express';
import nunjucks from 'nunjucks';
import pg from 'pg';
import supertest from 'supertest';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { fromNodeHeaders, toNodeHandler } from 'better-auth/node';
import { listenOnLoopback } from '../test/support/loopback.ts';

process.env.BETTER_AUTH_TELEMETRY ??= '0';

const ORIGIN = 'http://127.0.0.1:3000';

export interface BetterAuthPeer {
  app: Express;
  /** GET form page, POST sign-in, GET protected page; throws on any unexpected status. */
  login(email: string, password: string): Promise<void>;
  close(): Promise<void>;
}

export async function betterAuthPeer(options: { postgresUrl?: string; hash: 'scrypt' | 'bcrypt'; cost: number; users: number; password: string; pageSize: number }): Promise<BetterAuthPeer> {
  let database: Database.Database | pg.Pool;
  let cleanup: () => Promise<void>;
  if (options.postgresUrl) {
    const schema = `ba_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: options.postgresUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const pool = new pg.Pool({ connectionString: options.postgresUrl, options: `-c search_path=${schema}` });
    database = pool;
    cleanup = async () => {
      await pool.end();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
      await admin.end();
    };
  } else {
    const file = join(tmpdir(), `ewl-bench-better-auth-${process.pid}-${randomBytes(4).toString('hex')}.db`);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    database = db;
    cleanup = async () => {
      db.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    };
  }

  const config = {
    database,
    baseURL: ORIGIN,
    secret: 'bench-secret-bench-secret-bench-secret!',
    trustedOrigins: [ORIGIN],
    telemetry: { enabled: false },
    rateLimit: { enabled: false },
    logger: { disabled: true },
    emailAndPassword: {
      enabled: true,
      ...(options.hash === 'bcrypt'
        ? {
            password: {
              hash: (password: string) => bcrypt.hash(password, options.cost),
              verify: ({ hash, password }: { hash: string; password: string }) => bcrypt.compare(password, hash),
            },
          }
        : {}),
    },
  };
  const { runMigrations } = await getMigrations(config);
  await runMigrations();
  const auth = betterAuth(config);
  for (let i = 0; i < options.users; i++) {
    await auth.api.signUpEmail({ body: { email: `user${i}@example.test`, password: options.password, name: `User ${i}` } });
  }

  const app = express();
  // better-auth's handler reads the body itself, so it goes before any body parser (as its docs say).
  app.all('/api/auth/{*any}', toNodeHandler(auth));
  const env = new nunjucks.Environment(null, { autoescape: true });
  const filler = 'x'.repeat(Math.max(0, options.pageSize - 400));
  const form = nunjucks.compile(
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Log in</title></head><body><main>' +
      '<form method="post" action="/api/auth/sign-in/email"><input name="email" type="email"><input type="password" name="password"><button>Log in</button></form>' +
      '<p hidden>{{ filler }}</p></main></body></html>',
    env,
  );
  app.get('/login', (_req, res) => res.send(form.render({ filler })));
  app.get('/private', async (req, res, next) => {
    try {
      const session = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) });
      if (!session) return res.redirect(303, '/login');
      res.type('text').send(`private for ${session.user.email}`);
    } catch (err) {
      next(err);
    }
  });

  // Listening once on loopback, like the other peers (bench/run.ts says why).
  const { url, close } = await listenOnLoopback(app);
  return {
    app,
    async login(email, password) {
      const agent = supertest.agent(url);
      const page = await agent.get('/login');
      if (page.status !== 200) throw new Error(`better-auth: form page gave ${page.status}`);
      const signIn = await agent.post('/api/auth/sign-in/email').set('Origin', ORIGIN).send({ email, password });
      if (signIn.status !== 200) throw new Error(`better-auth: sign-in gave ${signIn.status} ${signIn.text}`);
      const priv = await agent.get('/private');
      if (priv.status !== 200) throw new Error(`better-auth: protected page gave ${priv.status}`);
    },
    async close() {
      await close();
      await cleanup();
    },
  };
}
