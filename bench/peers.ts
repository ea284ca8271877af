// The peers the login is measured against, built as their users build them, on the same Prisma client:
// - a bare Express + express-session + passport-local app with a CSRF'd two-step form (GET form, POST username,
//   POST password, GET a protected page: the same four requests as the library's login);
// - a bare Express page rendering a Nunjucks template of the login page's size (for step 1).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcrypt';
import express, { type Express } from 'express';
import session from 'express-session';
import nunjucks from 'nunjucks';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { TestPrisma } from '../test/support/db.ts';

declare module 'express-session' {
  interface SessionData {
    csrf?: string;
    username?: string;
  }
}

const page = (body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Log in</title></head><body><main>${body}</main></body></html>`;

function csrfOf(req: express.Request): string {
  req.session.csrf ??= randomBytes(32).toString('base64url');
  return req.session.csrf;
}

function csrfOk(req: express.Request): boolean {
  const sent = Buffer.from(String((req.body as { _csrf?: unknown })._csrf ?? ''));
  const kept = Buffer.from(req.session.csrf ?? '');
  return sent.length > 0 && sent.length === kept.length && timingSafeEqual(sent, kept);
}

/** The bare passport-local app: `/login` (two steps) and `/private`. */
export function passportApp(prisma: TestPrisma): Express {
  const app = express();
  const pass = new passport.Passport();
  pass.use(
    new LocalStrategy(async (username, password, done) => {
      try {
        const user = await prisma.user.findFirst({ where: { username, isActive: true } });
        if (!user?.passwordHash || !(await bcrypt.compare(password, user.passwordHash))) return done(null, false);
        await prisma.user.update({ where: { id: user.id }, data: { lastLogin: new Date() } });
        return done(null, user as unknown as Express.User);
      } catch (err) {
        return done(err);
      }
    }),
  );
  pass.serializeUser((user, done) => done(null, (user as { id: number }).id));
  pass.deserializeUser(async (id: number, done) => {
    try {
      done(null, await prisma.user.findUnique({ where: { id } }));
    } catch (err) {
      done(err);
    }
  });
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ secret: 'bench-secret-bench-secret-bench!', resave: false, saveUninitialized: false, store: new session.MemoryStore() }));
  app.use(pass.session());
  const form = (req: express.Request, withPassword: boolean) =>
    page(
      `<form method="post" action="/login"><input type="hidden" name="_csrf" value="${csrfOf(req)}"><input name="username" value="${req.session.username ?? ''}">` +
        (withPassword ? '<input type="password" name="password">' : '') +
        '<button>Next</button></form>',
    );
  app.get('/login', (req, res) => res.send(form(req, false)));
  app.post('/login', (req, res, next) => {
    if (!csrfOk(req)) return res.status(403).send('bad csrf');
    const body = req.body as { username?: string; password?: string };
    if (!body.password) {
      req.session.username = body.username ?? '';
      return res.send(form(req, true));
    }
    pass.authenticate('local', (err: unknown, user: Express.User | false) => {
      if (err) return next(err);
      if (!user) return res.status(401).send(form(req, true));
      // Rotates the session id, as a login must.
      req.logIn(user, (e) => (e ? next(e) : res.redirect(303, '/private')));
    })(req, res, next);
  });
  app.get('/private', (req, res) => (req.user ? res.type('text').send(`private for ${(req.user as { username: string }).username}`) : res.redirect(303, '/login')));
  return app;
}

/** A bare page rendering a Nunjucks template of `size` characters (the login page's), with a session and CSRF token. */
export function nunjucksApp(size: number): Express {
  const app = express();
  const env = new nunjucks.Environment(null, { autoescape: true });
  const template = nunjucks.compile(
    page('<form method="post" action="/login"><input type="hidden" name="_csrf" value="{{ csrf }}"><input name="username" value="{{ username }}"><button>Next</button></form><p hidden>{{ filler }}</p>'),
    env,
  );
  // Padded to exactly `size` characters with an empty name and a token as long as the library's (32 bytes, base64url).
  const filler = 'x'.repeat(Math.max(0, size - template.render({ csrf: 'x'.repeat(43), username: '', filler: '' }).length));
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ secret: 'bench-secret-bench-secret-bench!', resave: false, saveUninitialized: false, store: new session.MemoryStore() }));
  app.get('/login', (req, res) => res.send(template.render({ csrf: csrfOf(req), username: '', filler })));
  app.post('/login', (req, res) => {
    if (!csrfOk(req)) return res.status(403).send('bad csrf');
    req.session.username = String((req.body as { username?: unknown }).username ?? '');
    res.send(template.render({ csrf: csrfOf(req), username: req.session.username, filler }));
  });
  return app;
}
