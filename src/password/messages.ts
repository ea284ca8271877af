// The password method's error codes (with the text pages show for each) and the `loginFailed` reasons it reports.
// `{name}` placeholders are filled by `messageFor(code, params)`.

export const PASSWORD_MESSAGES = {
  invalid_credentials: 'Please enter a correct username and password. Note that both fields may be case-sensitive.',
  reset_invalid: 'This password reset link is invalid, expired or has already been used. Please ask for a new one.',
  reset_sent: 'If an account exists for that address, we have sent instructions to reset its password.',
  password_mismatch: 'The two password fields didn’t match.',
  password_too_short: 'This password is too short. It must contain at least {min} characters.',
  password_too_long: 'This password is too long. It must contain at most {max} characters.',
  password_incorrect: 'Your old password was entered incorrectly. Please enter it again.',
  password_none: 'Your account has no password to change: you log in with single sign-on or an emailed link.',
} as const;

/** `loginFailed` reasons this method reports, with what each means. */
export const PASSWORD_FAIL_REASONS = {
  invalid_credentials: 'A wrong password, or an unknown name (the two are never told apart).',
} as const;
