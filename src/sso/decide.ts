// Who a WorkOS profile logs in as, and under which rule. The profile must come from the organization, connection
// or provider the rule dispatches to; the user is found by identity (scoped), else (first login) by the user the
// login started for or a unique email, else created just in time if a rule allows it. Whoever is found must be
// active and their own rule (resolved again now) must be an SSO rule this profile satisfies; an account found by
// email (no identity yet) is linked only when that rule links existing accounts by email (`linkExistingByEmail`).
import type { Context } from '../context.ts';
import type { JitProfile } from '../core/jit.ts';
import { regexMatches, ruleRegex } from '../core/regex.ts';
import { sortRules, type LoginRule } from '../core/rules.ts';
import { isSsoRule, linksExistingByEmail } from './rule.ts';
import type { UserRow } from '../db/types.ts';
import type { LoginErrorCode } from '../errors.ts';
import type { WorkosLoginEvents } from '../events.ts';
import type { IdentityRow, SsoIdentities } from './identities.ts';
import { matchesRule, sameEmail } from './profile.ts';
import type { SsoPending } from './state.ts';

export type FailReason = WorkosLoginEvents['loginFailed']['reason'];

export interface Refusal {
  kind: 'refuse';
  code: LoginErrorCode;
  reason: FailReason;
  status: number;
  user: UserRow | null;
  rule: LoginRule | null;
  /** For the log only (never shown). */
  detail?: string;
}

export type Decision =
  | { kind: 'login'; user: UserRow; rule: LoginRule; identity: IdentityRow | null }
  | { kind: 'jit'; rule: LoginRule }
  | Refusal;

export function refusal(code: LoginErrorCode, reason: FailReason, extra: Partial<Omit<Refusal, 'kind' | 'code' | 'reason'>> = {}): Refusal {
  return { kind: 'refuse', code, reason, status: 403, user: null, rule: null, ...extra };
}

/** JIT applies: `idp` takes any profile the rule dispatched to; `attributes` needs the email to match the regex. */
export function jitAllowed(rule: LoginRule, profile: JitProfile): boolean {
  if (rule.jitCreation === 'idp') return true;
  if (rule.jitCreation !== 'attributes' || !rule.emailRegex) return false;
  const compiled = ruleRegex(rule);
  return compiled.ok && regexMatches(compiled.regex, profile.email);
}

export class SsoDecider {
  constructor(
    private readonly ctx: Context,
    private readonly identities: SsoIdentities,
  ) {}

  /** SP-initiated: the login this session started (its state matched). */
  async forStarted(pending: SsoPending, profile: JitProfile): Promise<Decision> {
    const rule = await this.ctx.rules.get(pending.ruleId);
    if (!rule || !rule.enabled || !isSsoRule(rule)) return refusal('method_not_allowed', 'method_not_allowed', { detail: `rule ${pending.ruleId} is gone or no longer SSO` });
    if (!matchesRule(rule, profile)) return refusal('sso_profile_mismatch', 'sso_profile_mismatch', { rule, detail: `profile of ${profile.organization_id ?? profile.connection_id} (${profile.connection_type})` });
    const identity = await this.identities.find(profile);
    if (identity) return this.existing(await this.identities.userById(identity.userId), identity, profile, false);
    if (pending.userId !== null) {
      const user = await this.identities.userById(pending.userId);
      if (user && !sameEmail(user.email, profile.email)) {
        return refusal('sso_email_mismatch', 'sso_email_mismatch', { user, rule, detail: 'first SSO login: the profile email is not the user’s' });
      }
      return this.existing(user, null, profile, false);
    }
    const byEmail = await this.byEmail(profile, false);
    if (byEmail) return byEmail;
    if (jitAllowed(rule, profile)) return this.jit(rule);
    return refusal('sso_not_provisioned', 'sso_not_provisioned', { rule, detail: `rule ${rule.id} does not create this user (jitCreation ${rule.jitCreation})` });
  }

  /** IdP-initiated (no state): only rules that opt in and match the profile's organization or connection. */
  async forIdpInitiated(profile: JitProfile): Promise<Decision> {
    const rules = sortRules((await this.ctx.rules.list()).filter((r) => r.enabled && isSsoRule(r) && matchesRule(r, profile)));
    const open = rules.filter((r) => r.allowIdpInitiated);
    if (open.length === 0) {
      return refusal('sso_idp_initiated_disabled', 'sso_idp_initiated_disabled', { rule: rules[0] ?? null, detail: `no rule allows IdP-initiated login for ${profile.organization_id ?? profile.connection_id}` });
    }
    const identity = await this.identities.find(profile);
    if (identity) return this.existing(await this.identities.userById(identity.userId), identity, profile, true);
    const byEmail = await this.byEmail(profile, true);
    if (byEmail) return byEmail;
    const rule = open.find((r) => jitAllowed(r, profile));
    if (rule) return this.jit(rule);
    return refusal('sso_not_provisioned', 'sso_not_provisioned', { rule: open[0]!, detail: 'no IdP-initiated rule creates this user' });
  }

  /** A new account under `rule`, unless a broken rule comes before it (then the login fails closed). */
  private async jit(rule: LoginRule): Promise<Decision> {
    await this.ctx.rules.assertReachable(rule);
    return { kind: 'jit', rule };
  }

  /** First login of an existing account, found by a unique (case-insensitive) email; null when nobody has it. */
  private async byEmail(profile: JitProfile, idpInitiated: boolean): Promise<Decision | null> {
    const owners = await this.identities.usersWithEmail(profile.email, 2);
    if (owners.length === 0) return null;
    if (owners.length > 1) return refusal('sso_identity_conflict', 'sso_identity_conflict', { detail: 'several accounts have the profile email' });
    return this.existing(owners[0]!, null, profile, idpInitiated);
  }

  /** The account is active, its own rule is an SSO rule this profile satisfies, and the link is unambiguous. */
  private async existing(found: UserRow | null, identity: IdentityRow | null, profile: JitProfile, idpInitiated: boolean): Promise<Decision> {
    const user = found ? await this.ctx.users.findActiveById(found.id) : null;
    // A disabled account stays disabled: SSO neither logs it in nor creates a second one next to it.
    if (!user) return refusal('sso_account_disabled', 'sso_account_disabled', { user: found, detail: 'inactive user' });
    const { rule } = await this.ctx.rules.resolve(user, user.username);
    if (!rule || !isSsoRule(rule)) return refusal('method_not_allowed', 'method_not_allowed', { user, rule, detail: 'the user’s rule is not an SSO rule' });
    if (!matchesRule(rule, profile)) return refusal('sso_profile_mismatch', 'sso_profile_mismatch', { user, rule, detail: 'the user’s rule sends them elsewhere' });
    if (idpInitiated && !rule.allowIdpInitiated) return refusal('sso_idp_initiated_disabled', 'sso_idp_initiated_disabled', { user, rule });
    // No identity yet: the account was found by its email (typed, or the profile's). Only rules that opt in link it.
    if (!identity && !linksExistingByEmail(rule)) {
      return refusal('sso_identity_conflict', 'sso_link_refused', { user, rule, detail: `rule ${rule.id} does not link existing accounts by email (linkExistingByEmail)` });
    }
    if (!identity && (await this.identities.hasOtherInScope(user.id, profile))) {
      return refusal('sso_identity_conflict', 'sso_identity_conflict', { user, rule, detail: 'the user already has another identity in this scope' });
    }
    return { kind: 'login', user, rule, identity };
  }
}
