// How `password` rules log in (pure): the shared password form, then an enrolled MFA factor if the user has one.
import type { RuleCatalogEntry } from '../core/rules.ts';

export const PASSWORD_RULES = {
  methods: {
    password: { steps: { first: 'password', factorBinds: true }, label: 'Password' },
  },
} as const satisfies RuleCatalogEntry;
