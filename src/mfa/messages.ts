// The mfa method's error codes (with the text pages show for each) and the `loginFailed` reasons it reports.
// `{name}` placeholders are filled by `messageFor(code, params)`.

export const MFA_MESSAGES = {
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
  mfa_reauth_required: 'To change two-step verification, confirm it is you: enter your password or a current code.',
  mfa_reauth_failed: 'That password is not correct. Please try again.',
  mfa_remove_not_allowed: 'Your account requires two-step verification, so it cannot be removed. You can replace your factor instead.',
  mfa_replace_not_allowed: 'Your login does not use two-step verification: you can remove this factor, but not set up a new one.',
} as const;

/** `loginFailed` reasons this method reports, with what each means. */
export const MFA_FAIL_REASONS = {
  second_factor_failed: 'A wrong, used or expired MFA code or recovery code.',
} as const;
