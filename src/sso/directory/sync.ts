// What a Directory Sync event does here, within the organization it names and only for SSO rules that name that
// organization: a deleted or suspended directory user deactivates the linked account (and ends its sessions);
// with `directoryProvisioning.users`, created and updated users are created (before any login) or updated with the
// rule's saved attributes, as JIT does; with `directoryProvisioning.groups`, group membership follows the directory.
// Accounts are found through their identity in the organization (directory user id, else IdP id), never by email.
// Every step is idempotent: the same event again changes nothing.
import type { Context } from '../../context.ts';
import { publicUser, ruleRef } from '../../context.ts';
import type { DataModel } from '../../core/jit-model.ts';
import { planJit } from '../../core/jit.ts';
import { compileRuleRegex, regexMatches } from '../../core/regex.ts';
import { sortRules, type LoginRule } from '../../core/rules.ts';
import type { IdentityRow, UserRow } from '../../db/ports.ts';
import { isSsoRule } from '../rule.ts';
import { directoryProfile, type DirectoryEvent, type DirectoryUser } from './event.ts';

/** What an event did, in the webhook's answer and the log. */
export type SyncOutcome =
  | 'ignored_event'
  | 'ignored_organization'
  | 'not_linked'
  | 'deactivated'
  | 'already_inactive'
  | 'created'
  | 'updated'
  | 'not_provisioned'
  | 'groups_changed'
  | 'groups_unchanged'
  | 'ignored_group';

export class DirectorySyncHandler {
  constructor(
    private readonly ctx: Context,
    private readonly dataModel: DataModel,
  ) {}

  async handle(event: DirectoryEvent): Promise<SyncOutcome> {
    if (event.kind === 'other') return 'ignored_event';
    const organizationId = event.user.organizationId ?? (event.kind === 'group' ? event.group.organizationId : null);
    const rules = organizationId ? sortRules((await this.ctx.rules.list()).filter((r) => r.enabled && isSsoRule(r) && r.organizationId === organizationId)) : [];
    if (!organizationId || rules.length === 0) {
      this.log(`${event.event} for organization ${organizationId ?? '(none)'} ignored: no enabled SSO rule names it`, event);
      return 'ignored_organization';
    }
    const scope = `org:${organizationId}`;
    const { user } = event;
    if (event.kind === 'group') return this.groupChanged(event, rules, scope);
    if (event.event === 'dsync.user.deleted' || user.state === 'inactive') {
      return this.deprovision(event.id, user, event.event === 'dsync.user.deleted' ? 'deleted' : 'suspended', organizationId, scope, rules[0]!);
    }
    return this.provision(event, user, organizationId, scope, rules);
  }

  private async linked(scope: string, user: DirectoryUser): Promise<{ identity: IdentityRow; account: UserRow } | null> {
    const identity = await this.ctx.repos.identities.findDirectoryUser(scope, user.id, user.idpId);
    const account = identity ? await this.ctx.users.findById(identity.userId) : null;
    if (!identity || !account) return null;
    // Remember the directory user, so that later events find the account even if its IdP id changes.
    if (identity.directoryUserId !== user.id) await this.ctx.repos.identities.setDirectoryUser(identity.id, user.id);
    return { identity, account };
  }

  private async deprovision(eventId: string, user: DirectoryUser, reason: 'deleted' | 'suspended', organizationId: string, scope: string, rule: LoginRule): Promise<SyncOutcome> {
    const link = await this.linked(scope, user);
    if (!link) {
      this.log(`directory user ${user.id} was ${reason}; no account here is linked to them`);
      return 'not_linked';
    }
    const { account } = link;
    if (!account.isActive) return 'already_inactive';
    await this.ctx.users.deactivate(account.id);
    const after = (await this.ctx.users.findById(account.id)) ?? account;
    this.ctx.config.logger.info(`express-workos-login: user ${account.id} deactivated: ${reason} in the directory of ${organizationId}`, { userId: account.id, eventId });
    this.ctx.events.emit('userDeprovisioned', { user: publicUser(after), reason, organizationId, directoryUserId: user.id, eventId, rule: ruleRef(rule)! });
    return 'deactivated';
  }

  private async provision(event: Extract<DirectoryEvent, { kind: 'user' }>, user: DirectoryUser, organizationId: string, scope: string, rules: LoginRule[]): Promise<SyncOutcome> {
    const rule = rules.find((r) => r.directoryProvisioning.users && emailMatches(r, user.email));
    if (!rule) return 'not_provisioned';
    const link = await this.linked(scope, user);
    const profile = directoryProfile(user, organizationId);
    if (link) {
      // An existing account is refreshed like at an SSO login (auto update); a disabled one stays disabled.
      if (!profile.email) profile.email = link.account.email;
      const planned = planJit({ saved: rule.savedAttributes, profile, dataModel: this.dataModel, jitUsername: this.ctx.config.sso.jitUsername, mode: 'update' });
      if (!planned.ok) {
        this.ctx.config.logger.warn(`express-workos-login: directory update of user ${link.account.id} skipped: ${planned.reason}`, { eventId: event.id });
        return 'not_provisioned';
      }
      const { notes } = await this.ctx.repos.jit.update(link.account.id, planned.plan);
      if (planned.plan.warnings.length || notes.length) this.ctx.config.logger.warn(`express-workos-login: directory update of user ${link.account.id} partly skipped`, { notes: [...planned.plan.warnings, ...notes] });
      return 'updated';
    }
    if (user.state !== 'active' || !user.email) return 'not_provisioned';
    if ((await this.ctx.users.findAnyByEmail(user.email, 1)).length > 0) {
      // Never linked by email here: the account is linked at its first SSO login, as SSO does.
      this.log(`${event.event}: an account with the email of directory user ${user.id} exists and is not linked to them; it is linked at its first SSO login`, event);
      return 'not_provisioned';
    }
    const planned = planJit({ saved: rule.savedAttributes, profile, dataModel: this.dataModel, jitUsername: this.ctx.config.sso.jitUsername, mode: 'create' });
    const username = planned.ok ? String(planned.plan.user.username ?? '') : '';
    if (!planned.ok || !username) {
      this.ctx.config.logger.warn(`express-workos-login: directory user ${user.id} not provisioned by rule ${rule.id}: ${planned.ok ? 'no username' : planned.reason}`, { eventId: event.id });
      return 'not_provisioned';
    }
    if (planned.plan.warnings.length) this.ctx.config.logger.warn(`express-workos-login: saved attributes of rule ${rule.id} "${rule.name}" partly skipped`, { ruleId: rule.id, warnings: planned.plan.warnings });
    const result = await this.ctx.repos.jit.create({
      plan: planned.plan,
      username,
      groups: rule.jitGroups,
      identity: { scope, idpId: user.idpId, profileId: '', connectionId: '', organizationId, connectionType: '', lastLoginAt: null, directoryUserId: user.id },
    });
    if (result.kind === 'existing') return 'updated';
    if (result.kind === 'refused') {
      this.ctx.config.logger.warn(`express-workos-login: directory user ${user.id} not provisioned: ${result.detail}`, { eventId: event.id, ruleId: rule.id });
      return 'not_provisioned';
    }
    this.ctx.events.emit('userCreated', { user: publicUser(result.user), profile: structuredClone(profile), rule: ruleRef(rule)!, source: 'directory' });
    return 'created';
  }

  private async groupChanged(event: Extract<DirectoryEvent, { kind: 'group' }>, rules: LoginRule[], scope: string): Promise<SyncOutcome> {
    const local = [...new Set(rules.flatMap((r) => (Object.hasOwn(r.directoryProvisioning.groups, event.group.name) ? [r.directoryProvisioning.groups[event.group.name]!] : [])))];
    if (local.length === 0) return 'ignored_group';
    const link = await this.linked(scope, event.user);
    if (!link) {
      this.log(`${event.event}: directory user ${event.user.id} has no account here`, event);
      return 'not_linked';
    }
    const changed = await this.ctx.repos.groups.setMembership(link.account.id, local, event.event === 'dsync.group.user_added');
    return changed.length > 0 ? 'groups_changed' : 'groups_unchanged';
  }

  private log(message: string, event?: { id: string }): void {
    this.ctx.config.logger.info(`express-workos-login: Directory Sync: ${message}`, event ? { eventId: event.id } : {});
  }
}

function emailMatches(rule: LoginRule, email: string): boolean {
  if (!rule.emailRegex) return true;
  const compiled = compileRuleRegex(rule.emailRegex);
  return compiled.ok && regexMatches(compiled.regex, email);
}
