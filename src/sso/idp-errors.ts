// `?error=` codes WorkOS documents for the SSO callback, mapped to our user messages. The IdP's own
// `error_description` is shown beside it, escaped like every page value.
import type { LoginErrorCode } from '../errors.ts';

const IDP_ERRORS: Readonly<Record<string, LoginErrorCode>> = {
  access_denied: 'sso_denied',
  signin_consent_denied: 'sso_denied',
  ambiguous_connection_selector: 'sso_misconfigured',
  connection_domain_invalid: 'sso_misconfigured',
  connection_invalid: 'sso_misconfigured',
  connection_strategy_invalid: 'sso_misconfigured',
  connection_unlinked: 'sso_misconfigured',
  domain_connection_selector_not_allowed: 'sso_misconfigured',
  invalid_connection_selector: 'sso_misconfigured',
  organization_invalid: 'sso_misconfigured',
  profile_not_allowed_outside_organization: 'sso_outside_organization',
  idp_initiated_sso_disabled: 'sso_idp_initiated_disabled',
  oauth_failed: 'sso_idp_error',
  server_error: 'sso_idp_error',
};

export const MAX_DESCRIPTION = 300;

export function idpErrorCode(error: string): LoginErrorCode {
  return Object.prototype.hasOwnProperty.call(IDP_ERRORS, error) ? IDP_ERRORS[error]! : 'sso_idp_error';
}

/** The IdP's description as a line of text (shown escaped), or null. */
export function idpDescription(description: string | undefined): string | null {
  // eslint-disable-next-line no-control-regex
  const text = (description ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (!text) return null;
  return `Details from your identity provider: ${text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}…` : text}`;
}
