// Public surface of express-workos-login. Everything not exported here is internal.
export { workosLogin } from './router.ts';
export type { WorkosLoginRouter, WorkosLoginOptions } from './router.ts';
export type { MfaResetResult } from './mfa/index.ts';
export type { WorkosLoginConfig, Logger, SmsTemplateUser } from './config.ts';
export { ConfigError, LoginError, LOGIN_MESSAGES } from './errors.ts';
export type { LoginErrorCode } from './errors.ts';
export type { WorkosLoginEvents, WorkosLoginEventName, PublicUser, RuleRef, AuditContext, LoginEvents, SsoProfile } from './events.ts';
export type { LoginRule, LoginRuleInput, LoginMethod, JitMode, RuleResolution, RuleVerdict } from './core/rules.ts';
export { LOGIN_METHODS, JIT_MODES } from './core/rules.ts';
export { RuleValidationError } from './rules/store.ts';
export type { RuleStore, Explanation, BrokenRule } from './rules/store.ts';
export { isSafeNextPath, safeNext } from './core/next-url.ts';
export { hashPassword } from './password/hash.ts';
export { seedDefaultRule, DEFAULT_RULE } from './rules/seed.ts';
export { recommendedSessionOptions } from './http/session-options.ts';
export type { PrismaLike } from './db/types.ts';
