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
  username_too_long: 'Usernames and email addresses have at most 320 characters.',
  reset_invalid: 'This password reset link is invalid, expired or has already been used. Please ask for a new one.',
  reset_sent: 'If an account exists for that address, we have sent instructions to reset its password.',
  password_mismatch: 'The two password fields didn’t match.',
  password_too_short: 'This password is too short. It must contain at least 8 characters.',
  password_too_long: 'This password is too long. It must contain at most 1024 characters.',
  password_incorrect: 'Your old password was entered incorrectly. Please enter it again.',
  session_expired: 'Your session has expired. Please log in again.',
  magic_link_sent: 'If an account that logs in by email matches what you entered, we have sent a login link to its email address.',
  magic_link_invalid: 'This login link is invalid, has expired or has already been used. Please ask for a new one.',
  magic_link_other_session: 'This login link does not belong to this browser session: it was requested in another browser, a newer link replaced it, or it expired. Open the newest link in the browser where you asked for it, or ask for a new one.',
  magic_link_password_first: 'This login link finishes a login that started with your password. Open it in the browser where you entered your password, or log in again.',
  magic_link_throttled: 'Too many login links were requested. Please wait a few minutes and try again.',
  mfa_expired: 'Your login took too long and has expired. Please log in again.',
  mfa_too_many_attempts: 'Too many wrong codes. Please log in again.',
  mfa_code_format: 'Enter the 6-digit code.',
  mfa_code_invalid: 'That code is not correct. Please try again.',
  mfa_code_used: 'That code was already used. Please wait for a new code and try again.',
  mfa_challenge_expired: 'That code has expired. Please ask for a new code.',
  mfa_challenge_locked: 'Too many tries for this code. Please ask for a new code.',
  mfa_send_first: 'Ask for a code first: press “Send code”.',
  mfa_sms_throttled: 'Too many codes were sent. Please wait a while before asking for another one.',
  mfa_phone_invalid: 'Enter a mobile phone number in international format, starting with + and the country code, for example +15005550006.',
  mfa_phone_rejected: 'This phone number cannot receive codes. Please check it and try again.',
  mfa_already_enrolled: 'Two-step verification is already set up for your account. Enter a code from it to continue.',
  mfa_no_enrollment: 'Your setup was not started or has expired. Please start again.',
  mfa_recovery_invalid: 'That recovery code is not valid or has already been used.',
  sso_state_invalid: 'This sign-in response does not belong to this browser session or was already used. Please start again.',
  sso_state_expired: 'Your sign-in took too long and has expired. Please start again.',
  sso_code_invalid: 'This sign-in has expired or was already used. Please start again.',
  sso_idp_error: 'Your identity provider could not sign you in. Please try again.',
  sso_denied: 'Sign-in was cancelled or refused at your identity provider.',
  sso_misconfigured: 'Single sign-on is not set up correctly for this account. Please contact your administrator.',
  sso_outside_organization: 'This account is not allowed to sign in through your organization. Please use your organization account.',
  sso_profile_mismatch: 'You signed in with an account from another organization or provider than the one your login uses. Please start again and choose the right account.',
  sso_email_mismatch: 'The account you signed in with at your identity provider does not match the username you entered. Please start again with the right account.',
  sso_not_provisioned: 'Your account has not been provisioned. Please contact your administrator.',
  sso_idp_initiated_disabled: 'IdP-initiated login is not enabled for your organization. Please log in from this site instead.',
  sso_account_disabled: 'Your account is disabled. Please contact your administrator.',
  sso_identity_conflict: 'This sign-in cannot be linked to an account automatically. Please contact your administrator.',
  sso_username_taken: 'We could not create your account because its username is already taken. Please contact your administrator.',
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
