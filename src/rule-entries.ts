// The built-in methods' rule declarations alone (pure: no pages, no Passport), in the order src/methods.ts mounts
// their modules: for code that validates rules without a router (the CLI, its help).
import { MAGIC_LINK_RULES } from './magic-link/rule.ts';
import { MFA_RULES } from './mfa/rule.ts';
import { PASSWORD_RULES } from './password/rule.ts';
import { SSO_RULES } from './sso/rule.ts';

export const BUILTIN_RULE_ENTRIES = [PASSWORD_RULES, MFA_RULES, MAGIC_LINK_RULES, SSO_RULES] as const;
