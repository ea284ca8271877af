// What every route module receives: validated config and the shared services, built once per router.
import type { Request } from 'express';
import type { PassportStatic } from 'passport';
import type { ResolvedConfig } from './config.ts';
import type { LoginMethod, LoginRule } from './core/rules.ts';
import type { UserRepository } from './db/users.ts';
import type { PrismaLike, UserRow } from './db/types.ts';
import type { LoginEvents, PublicUser, RuleRef } from './events.ts';
import type { Renderer } from './http/render.ts';
import type { LimiterFactory, LoginThrottle } from './http/rate-limit.ts';
import type { PasswordHasher } from './password/hash.ts';
import type { RuleStore } from './rules/store.ts';
import type { WorkosGateway } from './workos/client.ts';

export interface Context {
  config: Readonly<ResolvedConfig>;
  prisma: PrismaLike;
  users: UserRepository;
  rules: RuleStore;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  limiters: LimiterFactory;
  events: LoginEvents;
  renderer: Renderer;
  passport: PassportStatic;
  workos: WorkosGateway;
  now: () => number;
}

/** The state of a login that reached step 2, as a method sees it. Resolved on the server at every step. */
export interface LoginAttempt {
  req: Request;
  /** What the person typed (username or email). */
  typed: string;
  user: UserRow | null;
  rule: LoginRule | null;
  /** Already validated same-origin path or the configured default. */
  next: string;
}

/**
 * A login method other than the password form. Issues add SSO, MFA and magic-link handlers here;
 * a rule whose method has no handler fails closed with a clear message.
 */
export interface MethodHandler {
  /** Step 2 for rules of this method (after the username): e.g. redirect to the IdP, send a link. */
  start?(attempt: LoginAttempt, res: import('express').Response): Promise<void>;
  /** After a correct password, for methods that need a second step (mfa, email_mfa). */
  afterPassword?(attempt: LoginAttempt & { user: UserRow }, res: import('express').Response): Promise<void>;
}

export type MethodRegistry = Partial<Record<LoginMethod, MethodHandler>>;

/** What a login-method folder (sso/, mfa/, magic-link/) contributes: its routes and its method handlers. */
export interface MethodModule {
  routes: import('express').Router;
  handlers: MethodRegistry;
}

export function ruleRef(rule: LoginRule | null): RuleRef | null {
  return rule ? { id: rule.id, name: rule.name, method: rule.method } : null;
}

/** The user as the host sees it: every field but the password hash. */
export function publicUser(user: UserRow): PublicUser {
  const { passwordHash: _omit, sessionVersion: _v, ...rest } = user;
  return rest as PublicUser;
}

export function clientIp(req: Request): string {
  // `req.ip` follows Express's `trust proxy` setting: X-Forwarded-For only counts from trusted hops.
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function auditContext(req: Request): { ip: string; userAgent: string } {
  return { ip: clientIp(req), userAgent: String(req.get('user-agent') ?? '').slice(0, 300) };
}
