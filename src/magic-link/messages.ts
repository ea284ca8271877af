// The magic-link method's error codes (with the text pages show for each) and the `loginFailed` reasons it reports.
// `{name}` placeholders are filled by `messageFor(code, params)`.

export const MAGIC_LINK_MESSAGES = {
  magic_link_sent: 'If an account that logs in by email matches what you entered, we have sent a login link to its email address.',
  magic_link_invalid: 'This login link is invalid, has expired or has already been used. Please ask for a new one.',
  magic_link_other_session: 'This login link does not belong to this browser session: it was requested in another browser, a newer link replaced it, or it expired. Open the newest link in the browser where you asked for it, or ask for a new one.',
  magic_link_password_first: 'This login link finishes a login that started with your password. Open it in the browser where you entered your password, or log in again.',
  magic_link_throttled: 'Too many login links were requested. Please wait a few minutes and try again.',
} as const;

/** `loginFailed` reasons this method reports, with what each means. */
export const MAGIC_LINK_FAIL_REASONS = {
  link_invalid: 'A magic link that is invalid, expired, used or from another session.',
} as const;
