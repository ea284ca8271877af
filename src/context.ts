// What every route module receives: the validated config and the shared services, built once per router.
// Interfaces only: folders depend on this file, never on each other's classes through it.
import type { NextFunction, Request, Response } from 'express';
import type { ResolvedConfig } from './config.ts';
import type { AuthStrategy } from './contract.ts';
import type { WorkOS } from '@workos-inc/node';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitConfig } from './core/limit.ts';
import type { Explanation, LoginRule, RuleResolution } from './core/rules.ts';
import type { MethodSteps, Passed } from './core/steps.ts';
import type { Repositories, UserFacts, UserRow, UserStore } from './db/ports.ts';
import type { PublicUser, RuleRef, WorkosLoginEvents } from './events.ts';

/** Every page is a template rendered with the shared context (CSRF token, links, flash messages, the user). */
export interface Message {
  level: 'info' | 'success' | 'error' | (string & {});
  text: string;
}

export interface PageOptions {
  status?: number;
  /** Pages that carry a single-use token in their URL must not leak it through the Referer header. */
  noReferrer?: boolean;
  messages?: Message[];
  /**
   * The page shows nothing of the visitor but the session's CSRF token (no user, no messages): it is rendered once
   * per context and reused with each session's token. Nunjucks with a layout, includes and macros costs more than
   * the rest of such a request; the empty login form is the page every anonymous visitor gets.
   */
  reusable?: boolean;
}

export interface Pages {
  render(req: Request, res: Response, template: string, context?: Record<string, unknown>, options?: PageOptions): void;
}

/** The login rules as the flows ask about them (the cached, validated snapshot). */
export interface RuleSource {
  list(): Promise<LoginRule[]>;
  get(id: number): Promise<LoginRule | null>;
  /**
   * The rule for an existing user, or for an unknown typed name (JIT rules only). Throws
   * `LoginError('login_unavailable')` when a broken enabled rule comes first (fail closed).
   */
  resolve(user: UserRow | null, typed: string): Promise<RuleResolution>;
  /** The rule an unknown address would get if it were a user's email (throws like `resolve`). */
  resolveAsEmail(typed: string): Promise<RuleResolution>;
  /** True while step 2 is the shared password form whoever types the name (no rule's method starts on its own). */
  passwordFormForEveryone(): Promise<boolean>;
  /** Throws `LoginError('login_unavailable')` when a broken enabled rule comes before `rule`. */
  assertReachable(rule: LoginRule): Promise<void>;
  explain(username: string): Promise<Explanation>;
}

export interface Hasher {
  hash(password: string): Promise<string>;
  /** A failure costs one compare at the configured cost, whatever the stored hash (a dummy one when it is missing). */
  verify(password: string, stored: string | null | undefined): Promise<boolean>;
  needsRehash(stored: string): boolean;
}

/** Failed-login throttling per (account, client IP) with backoff, per client IP, and per account (the long-run cap). */
export interface LoginLimits {
  /** Counts an attempt; the seconds to wait when over a limit, else 0. */
  begin(accountKey: string, ip: string): Promise<number>;
  succeeded(accountKey: string, ip: string): Promise<void>;
  /** Clears the account's counts, its lockout and this client's block (the owner proved who they are). */
  unlock(accountKey: string, ip: string): Promise<void>;
}

/** Builds a named rate limiter on the configured store (memory, database or Redis). */
export type LimiterFactory = (name: string, spec: LimitConfig) => RateLimiterAbstract;

/** WorkOS, through the SDK, with its failures turned into login errors. */
export interface Workos {
  readonly sdk: WorkOS;
  readonly clientId: string;
  /**
   * Runs an SDK call; errors `expected` accepts come back unchanged, any other is an "upstream" login error.
   * `secrets` (a code the call sends) are blanked out of the logged error, should WorkOS echo them.
   */
  call<T>(what: string, fn: (sdk: WorkOS) => Promise<T>, expected?: (err: unknown) => boolean, secrets?: readonly string[]): Promise<T>;
  /** The profile for an SSO or magic-link code, or null when WorkOS says the code expired or was used. */
  exchangeCode(code: string, what?: string): Promise<WorkosProfile | null>;
}

export type WorkosProfile = Awaited<ReturnType<WorkOS['sso']['getProfileAndToken']>>['profile'];

export interface EventSink {
  emit<E extends keyof WorkosLoginEvents>(event: E, payload: WorkosLoginEvents[E]): void;
  /** How many listeners the host added (an app-delivered email with none is lost, and logged). */
  listenerCount(event: keyof WorkosLoginEvents): number;
}

/**
 * The library's own Passport instance, as the modules use it (declared here so that the public types never need
 * Passport's type packages).
 */
export interface LibraryPassport {
  use(name: string, strategy: AuthStrategy): unknown;
  authenticate<Info>(
    name: string,
    options: { session: false },
    callback: (err: unknown, user: unknown, info?: Info) => void,
  ): (req: Request, res: Response, next: NextFunction) => void;
}

/** What every route module receives: the validated config and the shared services, as interfaces. */
export interface Context {
  config: Readonly<ResolvedConfig>;
  /** The data layer (src/db/), built once from the host's client; nothing else touches the client. */
  repos: Repositories;
  /** `repos.users`, kept at the top level for its many call sites. */
  users: UserStore;
  rules: RuleSource;
  hasher: Hasher;
  throttle: LoginLimits;
  limiters: LimiterFactory;
  events: EventSink;
  renderer: Pages;
  /** The library's own Passport instance (never the host's). */
  passport: LibraryPassport;
  workos: Workos;
  /** The shared step order: every method hands a login back to it after each step. */
  flow: LoginFlow;
  now: () => number;
}

/** The state of a login as a method sees it. Resolved again on the server at every step. */
export interface LoginAttempt {
  req: Request;
  /** What the person typed (username or email). */
  typed: string;
  user: UserRow | null;
  rule: LoginRule | null;
  /** Already validated same-origin path or the configured default. */
  next: string;
}

/** A login with a known user and rule, past its first factor. */
export type KnownAttempt = LoginAttempt & { user: UserRow; rule: LoginRule };

/** The shared login flow every method hands over to: it decides the next step (`core/steps.ts`) and runs it. */
export interface LoginFlow {
  /** How a rule method logs in, or null for a method no module serves. */
  steps(method: string): MethodSteps | null;
  /** After the username: the password form, or the rule's own step 2. */
  identified(attempt: LoginAttempt, res: Response): Promise<void>;
  /** The person passed a step: run the next one, or log them in. */
  advance(attempt: KnownAttempt, passed: Exclude<Passed, 'identified'>, res: Response): Promise<void>;
  /** Whether this login still owes `method`'s second step (second-step pages re-check it on every request). */
  owes(rule: LoginRule | null, method: string, facts: UserFacts): boolean;
}

export function ruleRef(rule: LoginRule | null): RuleRef | null {
  return rule ? { id: rule.id, name: rule.name, method: rule.method } : null;
}

/** The user as the host sees it: every field but the password hash (and the library's bookkeeping). */
export function publicUser(user: UserRow): PublicUser {
  const { passwordHash, sessionVersion: _v, facts: _f, ...rest } = user;
  return { ...rest, hasPassword: typeof passwordHash === 'string' && passwordHash !== '' } as PublicUser;
}

export function clientIp(req: Request): string {
  // `req.ip` follows Express's `trust proxy` setting: X-Forwarded-For only counts from trusted hops.
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function auditContext(req: Request): { ip: string; userAgent: string } {
  return { ip: clientIp(req), userAgent: String(req.get('user-agent') ?? '').slice(0, 300) };
}
