// The magic-link method's error codes (with the text pages show for each) and the `loginFailed` reasons it reports.
// `{name}` placeholders are filled by `messageFor(code, params)`.

export const MAGIC_LINK_MESSAGES = {
  magic_link_sent: 'If an account that logs in by email matches what you entered, we have sent a login link to its email address.',
  magic_link_invalid: 'This login link is invalid, has expired or has already been used. Please ask for a new one.',
  magic_link_other_session: 'This login link does not belong to this browser session: it was requested in another browser, a newer link replaced it, or it expired. Open the newest link in the browser where you asked for it, or ask for a new one.',
  magic_link_password_first: 'This login link finishes a login that started with your password. Open it in the browser where you entered your password, or log in again.',
  magic_link_throttled: 'Too many login links were requested. Please wait a few minutes and try again.',
  magic_code_sent: 'If an account that logs in by email matches what you entered, we have sent a 6-digit login code to its email address.',
  magic_code_format: 'Please enter the 6-digit code from the email.',
  magic_code_invalid: 'This code is not right. Check the email and try again.',
  magic_code_expired: 'This code has expired or has already been used, or it was asked for in another browser. Please ask for a new one.',
  magic_code_attempts: 'Too many wrong codes. Please ask for a new one.',
} as const;

/** `loginFailed` reasons this method reports, with what each means. */
export const MAGIC_LINK_FAIL_REASONS = {
  link_invalid: 'A magic link that is invalid, expired, used or from another session.',
  code_invalid: 'A Magic Auth code that is wrong, expired, used, or typed in another session than the one that asked for it.',
} as const;
