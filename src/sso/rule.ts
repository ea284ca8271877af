// How SSO rules log in (pure): the IdP is the only factor (it owns MFA). The connection, organization, JIT,
// IdP-initiated, link-by-email and Directory Sync fields belong to these methods alone.
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
    linkExistingByEmail: onlySso('linking existing accounts by email is only for SSO methods', {
      label: 'Link existing accounts by email (JSON: null, true or false)',
      help: 'At the first SSO login, link an existing account whose email matches; null is the default (on for SAML, off for Google/Microsoft).',
      group: 'sso',
    }),
    directoryProvisioning: onlySso('directory provisioning is only for SSO methods', {
      label: 'Directory Sync provisioning (JSON)',
      help: 'e.g. {"users": true, "groups": {"Engineering": "engineers"}}; needs an organization id.',
      group: 'sso',
    }),
  },
  checkFields(rule, issue) {
    if (rule.connectionId && rule.organizationId) issue('organizationId', 'give a connection id or an organization id, not both');
    // Directory Sync events name an organization: only a rule for one can act on them.
    const { users, groups } = rule.directoryProvisioning;
    if ((users || Object.keys(groups ?? {}).length > 0) && !rule.organizationId) {
      issue('directoryProvisioning', 'directory provisioning needs an organization id (Directory Sync events name the organization)');
    }
  },
} as const satisfies RuleCatalogEntry;

/** The SSO rule methods, for code that must tell an SSO rule from others (callbacks, IdP-initiated login). */
export const SSO_RULE_METHODS: readonly string[] = Object.keys(SSO_RULES.methods);
export const isSsoRule = (rule: { readonly method: string }): boolean => SSO_RULE_METHODS.includes(rule.method);

/**
 * Whether a first SSO login may link an existing account found by its email (`linkExistingByEmail`, null = the
 * default). On by default only for `sso`: a SAML connection or organization is a tenant the host set up, whose
 * IdP vouches for its users' addresses. Off for Google and Microsoft accounts: anyone can make one, and an
 * address it presents (Microsoft's may be unverified) would take over the local account that has it.
 */
export const linksExistingByEmail = (rule: { readonly method: string; readonly linkExistingByEmail: boolean | null }): boolean =>
  rule.linkExistingByEmail ?? rule.method === 'sso';
