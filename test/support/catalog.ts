// The rule catalog of the built-in method folders, from their pure declarations (rule.ts), for core tests.
import { ruleCatalog } from '../../src/core/rules.ts';
import { MAGIC_LINK_RULES } from '../../src/magic-link/rule.ts';
import { MFA_RULES } from '../../src/mfa/rule.ts';
import { PASSWORD_RULES } from '../../src/password/rule.ts';
import { SSO_RULES } from '../../src/sso/rule.ts';

export const BUILTIN_CATALOG = ruleCatalog([PASSWORD_RULES, MFA_RULES, MAGIC_LINK_RULES, SSO_RULES]);
export const BUILTIN_RULE_METHODS = [...BUILTIN_CATALOG.methods.keys()];
