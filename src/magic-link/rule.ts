// How `magic` and `email_mfa` rules log in (pure). `magic`: the link is the first factor, and an enrolled MFA
// factor still binds. `email_mfa`: the password, then always the link (which stands in for a factor).
import type { RuleCatalogEntry } from '../core/rules.ts';

export const MAGIC_LINK_RULES = {
  methods: {
    magic: { steps: { first: 'own', factorBinds: true }, label: 'Magic link (no password)' },
    email_mfa: { steps: { first: 'password', second: 'email_mfa', factorBinds: false }, label: 'Password, then an emailed link' },
  },
} as const satisfies RuleCatalogEntry;
