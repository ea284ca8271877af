// Two error families (see docs): configuration mistakes throw a coded TypeError at start-up;
// runtime failures carry a stable code, an HTTP status and the user-facing text chosen by code.

export class ConfigError extends TypeError {
  readonly code = 'ERR_WORKOS_LOGIN_CONFIG';
  constructor(
    message: string,
    /** Each bad key path with what was wrong, e.g. `baseUrl: Invalid URL`. */
    readonly issues: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Codes of failures a user can see, with the text shown for each. Templates pick text by code. */
export const LOGIN_MESSAGES = {
  invalid_credentials: 'Please enter a correct username and password. Note that both fields may be case-sensitive.',
  throttled: 'Too many failed attempts. Please wait a few minutes and try again.',
  csrf: 'Your form expired or was sent from another site. Please try again.',
  method_not_allowed: 'This login method is not available for your account. Please start again.',
  method_unavailable: 'This login method is not available yet. Please contact your administrator.',
  no_rule: 'Login is not configured for this account. Please contact your administrator.',
  username_required: 'Please enter your username.',
  reset_invalid: 'This password reset link is invalid, expired or has already been used. Please ask for a new one.',
  reset_sent: 'If an account exists for that address, we have sent instructions to reset its password.',
  password_mismatch: 'The two password fields didn’t match.',
  password_too_short: 'This password is too short. It must contain at least 8 characters.',
  password_too_long: 'This password is too long. It must contain at most 1024 characters.',
  password_incorrect: 'Your old password was entered incorrectly. Please enter it again.',
  session_expired: 'Your session has expired. Please log in again.',
  upstream: 'We could not complete your request right now. Please try again in a moment.',
  server: 'Something went wrong on our side. Please try again.',
  not_found: 'This page does not exist.',
} as const;

export type LoginErrorCode = keyof typeof LOGIN_MESSAGES;

/** A runtime failure with a stable code and HTTP status; `cause` holds details for logs, never for users. */
export class LoginError extends Error {
  constructor(
    readonly code: LoginErrorCode,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(LOGIN_MESSAGES[code], options);
    this.name = 'LoginError';
  }
}

export function messageFor(code: LoginErrorCode): string {
  return LOGIN_MESSAGES[code];
}
