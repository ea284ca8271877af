// How `mfa` rules log in (pure): the password, then always a WorkOS TOTP or SMS code. The TOTP issuer name is
// the only rule field of this method.
import type { RuleCatalogEntry } from '../core/rules.ts';

export const MFA_RULES = {
  methods: {
    mfa: {
      steps: { first: 'password', second: 'mfa', factorBinds: true },
      label: 'Password, then a TOTP or SMS code',
      check(rule, issue) {
        if (!rule.totpOrganizationName) issue('totpOrganizationName', 'is required for the mfa method');
      },
    },
  },
  ruleFields: {
    totpOrganizationName: {
      elsewhere: { message: 'is only used by the mfa method' },
      label: 'Issuer name in authenticator apps',
      help: 'Shown next to the account in the app, e.g. your company name. Required for the mfa method.',
      group: 'mfa',
    },
  },
} as const satisfies RuleCatalogEntry;
