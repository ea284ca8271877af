// One error family. Every error the library throws is a `WorkosLoginError` with a stable snake_case `code`:
// `config_invalid` (a bad config, thrown at start-up), `rule_invalid` (a login rule refused on save), or one of the
// runtime codes below (each with its HTTP status and the text pages show for it). Hosts `switch (err.code)`.
import type { RuleIssue } from './core/rules.ts';
import { MAGIC_LINK_FAIL_REASONS, MAGIC_LINK_MESSAGES } from './magic-link/messages.ts';
import { MFA_FAIL_REASONS, MFA_MESSAGES } from './mfa/messages.ts';
import { PASSWORD_FAIL_REASONS, PASSWORD_MESSAGES } from './password/messages.ts';
import { SSO_FAIL_REASONS, SSO_MESSAGES } from './sso/messages.ts';

/** Codes every method shares (the login page, sessions, infrastructure). */
const COMMON_MESSAGES = {
  throttled: 'Too many failed attempts. Please wait a few minutes and try again.',
  csrf: 'Your form expired or was sent from another site. Please try again.',
  csrf_no_cookie:
    'Your browser did not send back the session cookie, so this form could not be accepted. Allow cookies for this site and try again; if it keeps happening, the site is opened over http while its cookie needs https.',
  method_not_allowed: 'This login method is not available for your account. Please start again.',
  method_unavailable: 'This login method is not available yet. Please contact your administrator.',
  no_rule: 'Login is not configured for this account. Please contact your administrator.',
  login_unavailable: 'Login is temporarily unavailable. Please try again later or contact your administrator.',
  username_required: 'Please enter your username.',
  username_too_long: 'Usernames and email addresses have at most 320 characters.',
  session_expired: 'Your session has expired. Please log in again.',
  upstream: 'We could not complete your request right now. Please try again in a moment.',
  server: 'Something went wrong on our side. Please try again.',
  not_found: 'This page does not exist.',
  bad_request: 'Your browser sent a request we could not read. Please go back and try again.',
  request_too_large: 'What you sent is too large. Please go back, shorten it and try again.',
  request_unsupported: 'Your browser sent the form in an encoding we do not accept. Please try again with another browser.',
} as const;

const COMMON_FAIL_REASONS = {
  throttled: 'Too many attempts for this account or client (the answer is the throttled page).',
  method_not_allowed: "The user's rule does not log in this way (e.g. a password POSTed for an SSO user).",
  no_rule: 'A correct first factor, but no login rule applies to the user.',
} as const;

/** Codes of failures a user can see, with the text shown for each (each method folder declares its own). */
export const LOGIN_MESSAGES = Object.freeze({
  ...COMMON_MESSAGES,
  ...PASSWORD_MESSAGES,
  ...MFA_MESSAGES,
  ...MAGIC_LINK_MESSAGES,
  ...SSO_MESSAGES,
});

export type LoginErrorCode = keyof typeof LOGIN_MESSAGES;

/** Why a login failed, as the `loginFailed` event reports it, with what each reason means. */
export const LOGIN_FAIL_REASONS = Object.freeze({
  ...COMMON_FAIL_REASONS,
  ...PASSWORD_FAIL_REASONS,
  ...MFA_FAIL_REASONS,
  ...MAGIC_LINK_FAIL_REASONS,
  ...SSO_FAIL_REASONS,
});

export type LoginFailReason = keyof typeof LOGIN_FAIL_REASONS;

/** The base of every error the library throws. */
export abstract class WorkosLoginError extends Error {
  abstract readonly code: string;
}

/** A configuration mistake, thrown when `workosLogin(config)` (or a helper taking options) is called. */
export class ConfigError extends WorkosLoginError {
  readonly code = 'config_invalid';
  constructor(
    message: string,
    /** Each bad key path with what was wrong, e.g. `baseUrl: Invalid URL`. */
    readonly issues: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }

  /** One error for a list of `key: problem` issues, with the standard heading. */
  static of(issues: readonly string[]): ConfigError {
    return new ConfigError(`express-workos-login: invalid config:\n  - ${issues.join('\n  - ')}`, issues);
  }
}

/** Thrown by the rule API when a rule is invalid; `issues` name each bad field. */
export class RuleValidationError extends WorkosLoginError {
  readonly code = 'rule_invalid';
  constructor(readonly issues: readonly RuleIssue[]) {
    super(`invalid login rule: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'RuleValidationError';
  }
}

/** The rule or user an admin call names does not exist (`login.rules`, `login.users`, the CLI). */
export class NotFoundError extends WorkosLoginError {
  readonly code = 'target_not_found';
  /** The HTTP status the admin pages answer with. */
  readonly status = 404;
  constructor(
    readonly target: 'rule' | 'user',
    readonly key: number | string,
  ) {
    super(typeof key === 'number' ? `no ${target} has id ${key}` : `no ${target} is named "${key}"`);
    this.name = 'NotFoundError';
  }
}

/** A runtime failure with an HTTP status; `cause` holds details for logs, never for users. */
export class LoginError extends WorkosLoginError {
  constructor(
    readonly code: LoginErrorCode,
    readonly status: number,
    options?: { cause?: unknown; params?: Readonly<Record<string, string | number>> },
  ) {
    super(messageFor(code, options?.params), options);
    this.name = 'LoginError';
  }
}

/** Every error the library throws, for `switch (err.code)`. */
export type AnyWorkosLoginError = ConfigError | RuleValidationError | NotFoundError | LoginError;

export function isWorkosLoginError(err: unknown): err is AnyWorkosLoginError {
  return err instanceof WorkosLoginError;
}

/** The text for a code, with `{name}` placeholders filled from `params`. */
export function messageFor(code: LoginErrorCode, params?: Readonly<Record<string, string | number>>): string {
  const text: string = LOGIN_MESSAGES[code];
  return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;
}
