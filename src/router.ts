// `workosLogin(config)`: validates the config once, builds the shared services and returns an Express
// router with the host-facing helpers (events, requireLogin, loadUser, logout, explain, rules) attached.
import { join } from 'node:path';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import passport from 'passport';
import { createAdminApi } from './admin/api.ts';
import { adminRoutes } from './admin/index.ts';
import { parseConfig, type ResolvedConfig, type WorkosLoginConfig } from './config.ts';
import type { MethodModule, MethodRuntime } from './contract.ts';
import type { Context, LibraryPassport } from './context.ts';
import { ruleCatalog, type RuleCatalog } from './core/rules.ts';
import { createRepositories, databaseLimiters } from './db/index.ts';
import { isDatabaseError } from './db/errors.ts';
import { ConfigError, LoginError, NotFoundError } from './errors.ts';
import { LoginEvents, type WorkosLoginEventName, type WorkosLoginEvents } from './events.ts';
import { loadUserMiddleware, loginRequired, logout, requireLoginMiddleware } from './http/auth.ts';
import { csrfToken, verifyCsrf } from './http/csrf.ts';
import { clientError, routeForLog } from './http/request-errors.ts';
import { SetupDiagnostics } from './http/diagnostics.ts';
import { LIBRARY_VIEWS, Renderer } from './http/render.ts';
import { LoginThrottle, RateLimitStoreFailure, limiterFactory } from './http/rate-limit.ts';
import { securityHeaders } from './http/security-headers.ts';
import { SharedLoginFlow } from './login/flow.ts';
import { renderLoginPage } from './login/page.ts';
import { loginRoutes } from './login/routes.ts';
import type { MagicLinkStrategy, MagicLinkStrategyOptions } from './magic-link/types.ts';
import { BUILTIN_METHODS } from './methods.ts';
import { magicLinkMethod } from './magic-link/index.ts';
import { mfaMethod, type MfaResetResult, type MfaRuntime } from './mfa/index.ts';
import { passwordMethod } from './password/index.ts';
import { ssoMethod } from './sso/index.ts';
import { PasswordHasher } from './password/hash.ts';
import type { PasswordStrategy, PasswordStrategyOptions } from './password/types.ts';
import type { RuleAdmin } from './rules/admin-api.ts';
import type { Explanation } from './rules/store.ts';
import type { UserAdmin } from './users/admin-api.ts';
import type { WorkosSsoStrategy, WorkosSsoStrategyOptions } from './sso/types.ts';
import { WorkosGateway } from './workos/client.ts';
import type { UserId } from './user-types.ts';

export interface WorkosLoginOptions {
  /** Injectable clock (ms) for tests of expiry and timeouts. */
  now?: () => number;
  /**
   * Extra login methods, mounted after the built-in ones (experimental): each is a `MethodModule`, the contract
   * the built-in password, mfa, magic-link and sso folders follow.
   */
  methods?: readonly MethodModule[];
}

/** New Passport strategies bound to this router's rules and data, for a host's own routes (its own Passport). */
export interface WorkosLoginStrategies {
  /** passport-local: succeeds only when the password completes the login (else fails with `second_step_required`). */
  password(options?: PasswordStrategyOptions): PasswordStrategy;
  /** WorkOS SSO: starts the login for `username`, then handles the callback on the same route (or `callbackUrl`). */
  sso(options?: WorkosSsoStrategyOptions): WorkosSsoStrategy;
  /** The confirmation POST of a magic link. */
  magicLink(options?: MagicLinkStrategyOptions): MagicLinkStrategy;
}

export interface WorkosLoginRouter extends Router {
  /** Typed events: userCreated, userDeprovisioned, sendMagicLink, sendPasswordReset, login, loginFailed, accountThrottled, logout, passwordChanged, mfaEnrolled, mfaReset, mfaChanged. */
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
  endSessions(userId: UserId): Promise<void>;
  /**
   * Disables a user for good: `isActive = false` (what the default `activeUserFilter` checks) and every session
   * ended, so setting `isActive` back later does not revive old sessions.
   */
  deactivateUser(userId: UserId): Promise<void>;
  /**
   * Removes a user's MFA factors (here and at WorkOS) and recovery codes and ends all their sessions; they enroll
   * again at their next login if their rule asks for MFA. Resolves to null when no user has this id.
   */
  resetMfa(userId: UserId): Promise<MfaResetResult | null>;
  /** Which login rule applies to a login name, and why. */
  explain(username: string): Promise<Explanation>;
  /** Create, update (partially), delete, list, check, move, preview, export and import login rules with validation. */
  readonly rules: RuleAdmin;
  /** Find users and see their factors and identities; reset MFA, unlink SSO, end sessions, deactivate, reactivate. */
  readonly users: UserAdmin;
  /** The library's Passport strategies, for hosts that run their own Passport. */
  readonly strategies: WorkosLoginStrategies;
  /** The validated, frozen configuration. */
  readonly config: Readonly<ResolvedConfig>;
}

export function workosLogin(input: WorkosLoginConfig, options: WorkosLoginOptions = {}): WorkosLoginRouter {
  const config = parseConfig(input);
  const now = options.now ?? Date.now;
  if (config.password.bcryptCost < 10 && process.env.NODE_ENV !== 'test') {
    config.logger.warn(`express-workos-login: bcryptCost ${config.password.bcryptCost} is below 10; use it only in tests`);
  }
  // The data layer, built once from the host's client; a missing model for the database rate-limit store is a
  // config error here, at start-up.
  const limiters = limiterFactory(config, config.rateLimit.store === 'database' ? databaseLimiters(config.prisma) : undefined);
  const repos = createRepositories(config.prisma, config);
  const { users } = repos;
  const events = new LoginEvents(config.logger);
  // The library's own Passport instance: its strategies never meet the host's, and the logged-in user lives under
  // the library's session key, so a host's serializeUser/deserializeUser never see the library's data.
  const pp = new passport.Passport() as unknown as LibraryPassport;
  const modules: readonly MethodModule[] = [...BUILTIN_METHODS, ...(options.methods ?? [])];
  let catalog: RuleCatalog;
  try {
    catalog = ruleCatalog(modules);
  } catch (err) {
    // Two modules claiming one rule method or field: a start-up mistake like any bad option.
    throw ConfigError.of([`methods: ${(err as Error).message}`]);
  }
  // `login.rules` and `login.users`; the MFA module's reset is known once the modules are set up (below).
  let mfaRuntime: MfaRuntime | undefined;
  const { rules, users: userAdmin, admin } = createAdminApi({ config, repos, catalog, events, now, resetMfa: (userId) => mfaRuntime!.resetMfa(userId) });
  const renderer = new Renderer([...config.templateDirs, ...modules.flatMap((m) => (m.views ? [m.views] : []))], { notice: config.notice });
  const ctx = {
    config,
    repos,
    users,
    rules,
    hasher: new PasswordHasher(config.password.bcryptCost, config.logger),
    throttle: new LoginThrottle(limiters, config, events),
    limiters,
    events,
    renderer,
    passport: pp,
    workos: new WorkosGateway(config),
    now,
  } as Omit<Context, 'flow'> as Context;
  const flow = new SharedLoginFlow(ctx, catalog, (req, res, data) => renderLoginPage(ctx, req, res, { step: 'password', ...data }));
  ctx.flow = flow;

  // Each method module sets itself up once; the router only lists them.
  const runtimes = new Map<MethodModule, MethodRuntime>();
  for (const module of modules) {
    const runtime = module.setup(ctx);
    runtimes.set(module, runtime);
    flow.register(module, runtime);
  }
  const runtimeOf = <R extends MethodRuntime>(module: MethodModule) => runtimes.get(module) as R;
  mfaRuntime = runtimeOf<MfaRuntime>(mfaMethod);
  const strategyOf = (module: MethodModule) => (options?: object) => runtimeOf(module).strategy!(options as never);
  const loadUser = errorPageOnStorageFailure(loadUserMiddleware(ctx), errorHandler(ctx));
  const requireLogin = requireLoginMiddleware(loadUser, loginRequired(ctx, () => config.loginUrl));

  const router = Router() as WorkosLoginRouter;
  // Auth pages are never framed, cached or sniffed; a host's own (stricter) headers are kept.
  router.use(securityHeaders());
  router.use('/static', express.static(join(LIBRARY_VIEWS, 'static'), { fallthrough: false, maxAge: '1h' }));
  // Signed server-to-server routes: no session user, no CSRF token (their signature is the check).
  for (const runtime of runtimes.values()) if (runtime.webhooks) router.use(runtime.webhooks);
  router.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 }));
  router.use(loadUser);
  const diagnostics = new SetupDiagnostics(config.baseUrl, config.logger);
  router.use(diagnostics.middleware(ctx.rules));
  router.use(verifyCsrf((req) => diagnostics.noSessionCookie(req)));
  router.use(loginRoutes(ctx));
  for (const runtime of runtimes.values()) if (runtime.routes) router.use(runtime.routes);
  if (config.admin.enabled) router.use(adminRoutes(ctx, { rules, users: userAdmin, userRows: admin.users, catalog }));
  // Unknown paths fall through to the host: its own pages (e.g. /accounts/profile/) may live under the mount.
  router.use(errorHandler(ctx));

  Object.assign(router, {
    events,
    loadUser,
    requireLogin,
    rules,
    users: userAdmin,
    config,
    logout: (req: Request) => logout(ctx, req),
    explain: (username: string) => ctx.rules.explain(username),
    endSessions: (userId: UserId) => userAdmin.endSessions(userId),
    deactivateUser: (userId: UserId) => userAdmin.deactivate(userId),
    resetMfa: (userId: UserId) => userAdmin.resetMfa(userId).catch((err: unknown) => (err instanceof NotFoundError ? null : Promise.reject(err))),
    csrfToken: (req: Request) => csrfToken(req),
    strategies: {
      password: strategyOf(passwordMethod),
      sso: strategyOf(ssoMethod),
      magicLink: strategyOf(magicLinkMethod),
    } as WorkosLoginStrategies,
  });
  router.on = ((event: WorkosLoginEventName, listener: never) => (events.on(event, listener), router)) as WorkosLoginRouter['on'];
  router.off = ((event: WorkosLoginEventName, listener: never) => (events.off(event, listener), router)) as WorkosLoginRouter['off'];
  return router;
}

/**
 * `loadUser` and `requireLogin` also run on the host's own routes, in front of the host's error handler: when the
 * database or the rate-limit store fails there, they answer the library's "try again" page (503) themselves rather
 * than hand the host an error its handler may turn into a 500 with a stack trace. Other errors go to the host.
 */
function errorPageOnStorageFailure(handler: RequestHandler, page: ErrorRequestHandler): RequestHandler {
  return (req, res, next) =>
    handler(req, res, (err?: unknown) => {
      if (err && (isDatabaseError(err) || err instanceof RateLimitStoreFailure)) return void page(err, req, res, next);
      next(err as Parameters<typeof next>[0]);
    });
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
    } else if (isDatabaseError(err) || err instanceof RateLimitStoreFailure) error = new LoginError('upstream', 503, { cause: err });
    else error = clientError(err) ?? new LoginError('server', 500, { cause: err });
    if (error.status >= 500) {
      // The route's pattern, not the path: a reset link's path is its token.
      ctx.config.logger.error(`express-workos-login: ${error.code} on ${req.method} ${routeForLog(req)}`, {
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

