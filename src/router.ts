// `workosLogin(config)`: validates the config once, builds the shared services and returns an Express
// router with the host-facing helpers (events, requireLogin, loadUser, logout, explain, rules) attached.
import { join } from 'node:path';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import passport from 'passport';
import { parseConfig, type ResolvedConfig, type WorkosLoginConfig } from './config.ts';
import type { Context, MethodModule, MethodRegistry } from './context.ts';
import { publicUser } from './context.ts';
import { UserRepository } from './db/users.ts';
import type { SerializedUser } from './http/session.ts';
import { ConfigError, LoginError, messageFor } from './errors.ts';
import { LoginEvents, type WorkosLoginEventName, type WorkosLoginEvents } from './events.ts';
import { loadUserMiddleware, loginRequired, logout, requireLoginMiddleware } from './http/auth.ts';
import { csrfToken, verifyCsrf } from './http/csrf.ts';
import { LIBRARY_VIEWS, Renderer } from './http/render.ts';
import { LoginThrottle, limiterFactory } from './http/rate-limit.ts';
import { loginRoutes } from './login/routes.ts';
import { magicLinkModule } from './magic-link/index.ts';
import { mfaModule, type MfaResetResult } from './mfa/index.ts';
import { PasswordHasher } from './password/hash.ts';
import { passwordRoutes } from './password/routes.ts';
import { PASSWORD_STRATEGY, passwordStrategy } from './password/strategy.ts';
import { RuleStore, type Explanation } from './rules/store.ts';
import { ssoModule } from './sso/index.ts';
import { WorkosGateway } from './workos/client.ts';

export interface WorkosLoginOptions {
  /** Injectable clock (ms) for tests of expiry and timeouts. */
  now?: () => number;
}

export interface WorkosLoginRouter extends Router {
  /** Typed events: userCreated, sendMagicLink, sendPasswordReset, login, loginFailed, logout, passwordChanged, mfaEnrolled, mfaReset. */
  readonly events: LoginEvents;
  on<E extends WorkosLoginEventName>(event: E, listener: (payload: WorkosLoginEvents[E]) => void | Promise<void>): this;
  off<E extends WorkosLoginEventName>(event: E, listener: (payload: WorkosLoginEvents[E]) => void | Promise<void>): this;
  /** Populates `req.user` on any route of the host (mount it app-wide, after express-session). */
  readonly loadUser: RequestHandler;
  /** Sends anonymous visitors to the login page with `next`; 401 JSON for non-HTML requests. */
  readonly requireLogin: RequestHandler;
  /** Logs the request's user out and destroys the server-side session. */
  logout(req: Request): Promise<void>;
  /** This session's CSRF token, for the host's own forms that POST to the router (e.g. a logout button). */
  csrfToken(req: Request): string;
  /** Ends every session of a user on their next request (e.g. after you disable them or suspect abuse). */
  endSessions(userId: number): Promise<void>;
  /**
   * Disables a user for good: `isActive = false` (what the default `activeUserFilter` checks) and every session
   * ended, so setting `isActive` back later does not revive old sessions.
   */
  deactivateUser(userId: number): Promise<void>;
  /**
   * Removes a user's MFA factors (here and at WorkOS) and recovery codes and ends all their sessions; they enroll
   * again at their next login if their rule asks for MFA. Resolves to null when no user has this id.
   */
  resetMfa(userId: number): Promise<MfaResetResult | null>;
  /** Which login rule applies to a login name, and why. */
  explain(username: string): Promise<Explanation>;
  /** Create, update, delete and list login rules with validation. */
  readonly rules: RuleStore;
  /** The validated, frozen configuration. */
  readonly config: Readonly<ResolvedConfig>;
}

export function workosLogin(input: WorkosLoginConfig, options: WorkosLoginOptions = {}): WorkosLoginRouter {
  const config = parseConfig(input);
  const now = options.now ?? Date.now;
  if (config.bcryptCost < 10 && process.env.NODE_ENV !== 'test') {
    config.logger.warn(`express-workos-login: bcryptCost ${config.bcryptCost} is below 10; use it only in tests`);
  }
  if (config.rateLimit.store === 'database' && typeof (config.prisma as unknown as Record<string, unknown>).rateLimiterFlexible !== 'object') {
    throw new ConfigError('express-workos-login: invalid config:\n  - rateLimit.store: "database" needs the RateLimiterFlexible model from prisma/workos-login.prisma', [
      'rateLimit.store: the RateLimiterFlexible model is missing from the Prisma client',
    ]);
  }

  const users = new UserRepository(config.prisma, config);
  const events = new LoginEvents(config.logger);
  const limiters = limiterFactory(config, config.prisma);
  const pp = new passport.Passport() as unknown as passport.PassportStatic;
  const ctx: Context = {
    config,
    prisma: config.prisma,
    users,
    rules: new RuleStore(config.prisma, users, config.logger, now),
    hasher: new PasswordHasher(config.bcryptCost),
    throttle: new LoginThrottle(limiters, config),
    limiters,
    events,
    renderer: new Renderer(config.templateDirs, { notice: config.notice }),
    passport: pp,
    workos: new WorkosGateway(config),
    now,
  };

  pp.use(PASSWORD_STRATEGY, passwordStrategy(ctx));
  pp.serializeUser((user, done) => done(null, user));
  pp.deserializeUser((serialized: SerializedUser, done: (err: unknown, user?: Express.User | false) => void) => {
    if (!serialized || typeof serialized.id !== 'number') return done(null, false);
    users.findActiveById(serialized.id).then(
      // A stale version means the password changed or all sessions were ended: this session is over.
      (user) => done(null, user && user.sessionVersion === serialized.v ? (publicUser(user) as Express.User) : false),
      done,
    );
  });

  // Each login-method folder contributes routes and handlers; a rule whose method has none fails closed.
  const mfa = mfaModule(ctx);
  const modules: MethodModule[] = [mfa, magicLinkModule(ctx, () => methods), ssoModule(ctx)];
  const methods: MethodRegistry = Object.assign({}, ...modules.map((m) => m.handlers));
  const loadUser = loadUserMiddleware(ctx);
  const requireLogin = requireLoginMiddleware(loadUser, loginRequired(ctx, () => config.loginUrl));

  const router = Router() as WorkosLoginRouter;
  router.use((_req, res, next) => {
    // Auth pages are never framed, cached or sniffed.
    res.set({
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "frame-ancestors 'none'",
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'same-origin',
    });
    next();
  });
  router.use('/static', express.static(join(LIBRARY_VIEWS, 'static'), { fallthrough: false, maxAge: '1h' }));
  router.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 }));
  router.use(loadUser);
  router.use(verifyCsrf);
  router.use(loginRoutes(ctx, methods));
  router.use(passwordRoutes(ctx));
  for (const m of modules) router.use(m.routes);
  // Unknown paths fall through to the host: its own pages (e.g. /accounts/profile/) may live under the mount.
  router.use(errorHandler(ctx));

  Object.assign(router, {
    events,
    loadUser,
    requireLogin,
    rules: ctx.rules,
    config,
    logout: (req: Request) => logout(ctx, req),
    explain: (username: string) => ctx.rules.explain(username),
    endSessions: (userId: number) => users.endAllSessions(userId),
    deactivateUser: (userId: number) => users.deactivate(userId),
    resetMfa: (userId: number) => mfa.resetMfa(userId),
    csrfToken: (req: Request) => csrfToken(req),
  });
  router.on = ((event: WorkosLoginEventName, listener: never) => (events.on(event, listener), router)) as WorkosLoginRouter['on'];
  router.off = ((event: WorkosLoginEventName, listener: never) => (events.off(event, listener), router)) as WorkosLoginRouter['off'];
  return router;
}

/** Every failure ends in a page with a message chosen by code: never a stack trace, never a raw 500. */
function errorHandler(ctx: Context): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let error: LoginError;
    if (err instanceof LoginError) error = err;
    else if (err instanceof ConfigError) {
      ctx.config.logger.error(err.message);
      res.status(500).type('text').send(err.message);
      return;
    } else if (isBodyError(err)) error = new LoginError('server', 400, { cause: err });
    else if (isDatabaseError(err)) error = new LoginError('upstream', 503, { cause: err });
    else error = new LoginError('server', 500, { cause: err });
    if (error.status >= 500) {
      ctx.config.logger.error(`express-workos-login: ${error.code} on ${req.method} ${req.baseUrl}${req.path}`, {
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      });
    }
    if (res.headersSent) return;
    try {
      ctx.renderer.render(req, res, 'error', { error_message: error.message }, { status: error.status });
    } catch {
      res.status(error.status).type('text').send(error.message);
    }
  };
}

function isDatabaseError(err: unknown): boolean {
  const name = err && typeof err === 'object' ? String((err as { name?: unknown }).name ?? '') : '';
  return name.startsWith('PrismaClient') || name === 'DriverAdapterError';
}

function isBodyError(err: unknown): boolean {
  return !!err && typeof err === 'object' && typeof (err as { type?: unknown }).type === 'string' && (err as { status?: unknown }).status === 400;
}

