// How SSO rules log in (pure): the IdP is the only factor (it owns MFA). The connection, organization, JIT and
// IdP-initiated fields belong to these methods alone.
import type { RuleCatalogEntry, RuleFieldSpec, RuleMethodSpec } from '../core/rules.ts';

const steps = { first: 'own', factorBinds: false } as const;
const oauth = (label: string): RuleMethodSpec => ({ steps, label });
const onlySso = (message: string, form: Omit<RuleFieldSpec, 'elsewhere'>): RuleFieldSpec => ({ elsewhere: { message }, ...form });
const ids = 'connection and organization ids are only for SSO methods';

export const SSO_RULES = {
  methods: {
    sso: {
      steps,
      label: 'SSO: SAML by connection or organization',
      check(rule, issue) {
        if (!rule.connectionId && !rule.organizationId) issue('connectionId', 'the sso method needs a connection id or an organization id');
      },
    },
    GoogleOAuth: oauth('SSO: Google'),
    MicrosoftOAuth: oauth('SSO: Microsoft'),
  },
  ruleFields: {
    connectionId: onlySso(ids, { label: 'WorkOS connection id', help: 'e.g. conn_01H…; give this or an organization id, not both.', group: 'sso' }),
    organizationId: {
      elsewhere: { message: ids, path: 'connectionId' },
      label: 'WorkOS organization id',
      help: "e.g. org_01H…; WorkOS picks the organization's connection.",
      group: 'sso',
    },
    allowIdpInitiated: onlySso('IdP-initiated login is only for SSO methods', {
      label: 'Allow IdP-initiated login',
      help: "Accept logins started at the identity provider's dashboard for this rule.",
      group: 'sso',
    }),
    jitCreation: onlySso('just-in-time creation is only for SSO methods', {
      label: 'Just-in-time creation',
      help: 'Create an account at the first SSO login of someone unknown.',
      group: 'jit',
    }),
    jitGroups: onlySso('JIT groups are only for SSO methods', { label: 'Groups of new users', help: 'Group names, separated by commas; each group must exist.', group: 'jit' }),
    savedAttributes: onlySso('saved attributes are only for SSO methods', {
      label: 'Saved attributes (JSON)',
      help: 'Fields written on the user from the profile, e.g. {"firstName": "{{profile.first_name}}"}.',
      group: 'jit',
    }),
  },
  checkFields(rule, issue) {
    if (rule.connectionId && rule.organizationId) issue('organizationId', 'give a connection id or an organization id, not both');
  },
} as const satisfies RuleCatalogEntry;

/** The SSO rule methods, for code that must tell an SSO rule from others (callbacks, IdP-initiated login). */
export const SSO_RULE_METHODS: readonly string[] = Object.keys(SSO_RULES.methods);
export const isSsoRule = (rule: { readonly method: string }): boolean => SSO_RULE_METHODS.includes(rule.method);
