// How SSO rules log in (pure): the IdP is the only factor (it owns MFA). The connection, organization, JIT,
// IdP-initiated and link-by-email fields belong to these methods alone.
import type { RuleCatalogEntry, RuleMethodSpec } from '../core/rules.ts';

const steps = { first: 'own', factorBinds: false } as const;
const oauth: RuleMethodSpec = { steps };
const onlySso = (message: string) => ({ elsewhere: { message } });

export const SSO_RULES = {
  methods: {
    sso: {
      steps,
      check(rule, issue) {
        if (!rule.connectionId && !rule.organizationId) issue('connectionId', 'the sso method needs a connection id or an organization id');
      },
    },
    GoogleOAuth: oauth,
    MicrosoftOAuth: oauth,
  },
  ruleFields: {
    connectionId: onlySso('connection and organization ids are only for SSO methods'),
    organizationId: { elsewhere: { message: 'connection and organization ids are only for SSO methods', path: 'connectionId' } },
    jitCreation: onlySso('just-in-time creation is only for SSO methods'),
    jitGroups: onlySso('JIT groups are only for SSO methods'),
    savedAttributes: onlySso('saved attributes are only for SSO methods'),
    allowIdpInitiated: onlySso('IdP-initiated login is only for SSO methods'),
    linkExistingByEmail: onlySso('linking existing accounts by email is only for SSO methods'),
    directoryProvisioning: onlySso('directory provisioning is only for SSO methods'),
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
