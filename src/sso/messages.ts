// The sso method's error codes (with the text pages show for each) and the `loginFailed` reasons it reports.
// `{name}` placeholders are filled by `messageFor(code, params)`.

export const SSO_MESSAGES = {
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
  sso_callback_throttled: 'Too many sign-in attempts from your network. Please wait a minute and try again.',
  sso_username_taken: 'We could not create your account because its username is already taken. Please contact your administrator.',
} as const;

/** `loginFailed` reasons this method reports, with what each means. */
export const SSO_FAIL_REASONS = {
  sso_state_invalid: "The callback's state is missing, forged, replayed, expired or from another session.",
  sso_idp_error: 'The identity provider answered with `error` (the login page shows why).',
  sso_code_invalid: 'WorkOS refused the code (expired or already used).',
  sso_profile_mismatch: "The profile's organization, connection or provider is not the rule's.",
  sso_email_mismatch: "First login of a known user whose email differs from the profile's.",
  sso_not_provisioned: 'No account, and no JIT rule creates one (or a `!relation` was not found).',
  sso_idp_initiated_disabled: 'IdP-initiated login for a rule that does not allow it.',
  sso_account_disabled: 'The account is disabled (SSO never re-enables it).',
  sso_identity_conflict: 'The profile cannot be tied to one account safely (ambiguous email, another identity, username taken).',
  sso_callback_throttled: 'Too many SSO callbacks from one client IP (`sso.callbackLimit`); the callback was not processed.',
  sso_link_refused: "First SSO login of an existing account found by email, under a rule that does not link existing accounts by email (`linkExistingByEmail`).",
} as const;
