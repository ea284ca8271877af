// `login.users`: what support does for one person. Find any user (active or not), see their factors, SSO identities,
// rule and recent logins, and reset their MFA, unlink an SSO identity, end their sessions, deactivate or reactivate
// them. Every change emits one `adminChange` event (never a secret: factor ids and types, no phone numbers).
import type { Logger } from '../config.ts';
import type { EventSink, RuleSource } from '../context.ts';
import { publicUser, ruleRef } from '../context.ts';
import type { AdminUserRows, IdentityDetails } from '../db/admin-ports.ts';
import type { UserRow, UserStore } from '../db/ports.ts';
import { NotFoundError } from '../errors.ts';
import type { AdminAction, AdminActor, PublicUser, RuleRef } from '../events.ts';
import type { MfaResetResult } from '../mfa/reset.ts';
import type { UserId } from '../user-types.ts';

export type { IdentityDetails } from '../db/admin-ports.ts';

/** A login the host recorded (from its `login` / `loginFailed` listeners), for the admin's user page. */
export interface RecentLogin {
  at: Date;
  /** e.g. `password`, `sso`, or the `loginFailed` reason. */
  method?: string;
  ok?: boolean;
  ip?: string;
  userAgent?: string;
}

/** Returns a user's recent logins if the host stores them (config `admin.recentLogins`). */
export type RecentLogins = (user: PublicUser) => readonly RecentLogin[] | Promise<readonly RecentLogin[]>;

/** An MFA factor as support sees it: never the secret, and only the last digits of a phone number. */
export interface FactorDetails {
  id: number;
  type: 'totp' | 'sms';
  phoneHint: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface UserDetails {
  user: PublicUser;
  factors: FactorDetails[];
  recoveryCodesLeft: number;
  identities: IdentityDetails[];
  /** The rule that applies to the user now, and why (inactive users get none). */
  rule: RuleRef | null;
  reason: string;
  /** From `admin.recentLogins`, or null when the host stores none. */
  recentLogins: readonly RecentLogin[] | null;
}

export interface ChangeOptions {
  actor?: AdminActor;
}

export interface UserAdminDeps {
  users: UserStore;
  rows: AdminUserRows;
  rules: RuleSource;
  events: EventSink;
  logger: Logger;
  now: () => number;
  resetMfa(userId: UserId): Promise<MfaResetResult | null>;
  recentLogins?: RecentLogins;
}

const phoneHint = (phone: string | null): string | null => (phone ? `…${phone.replace(/\D/g, '').slice(-2)}` : null);

export class UserAdmin {
  constructor(private readonly deps: UserAdminDeps) {}

  /** The user with this username, else the only user with this email; active or not. Null when none. */
  async find(name: string): Promise<PublicUser | null> {
    const user = await this.deps.rows.findByName(name);
    return user && publicUser(user);
  }

  /** Users whose username or email contains `query`, by username (at most `take`). */
  async search(query: string, take = 50): Promise<PublicUser[]> {
    return (await this.deps.rows.search(query, take)).map(publicUser);
  }

  /** Everything support sees about one user; throws `NotFoundError` when no user has this id. */
  async get(id: UserId): Promise<UserDetails> {
    const user = await this.user(id);
    const [factors, recoveryCodesLeft, identities, resolution] = await Promise.all([
      this.deps.rows.factors(id),
      this.deps.rows.recoveryCodesLeft(id),
      this.deps.rows.identities(id),
      user.isActive ? this.deps.users.findActiveById(id).then((active) => (active ? this.deps.rules.resolve(active, active.username) : null)) : null,
    ]);
    return {
      user: publicUser(user),
      factors: factors.map((f) => ({ id: f.id, type: f.type, phoneHint: phoneHint(f.phoneNumber), createdAt: f.createdAt, lastUsedAt: f.lastUsedAt })),
      recoveryCodesLeft,
      identities,
      rule: ruleRef(resolution?.rule ?? null),
      reason: resolution ? resolution.reason : 'the user cannot log in (inactive)',
      recentLogins: await this.recentLogins(user),
    };
  }

  private async recentLogins(user: UserRow): Promise<readonly RecentLogin[] | null> {
    if (!this.deps.recentLogins) return null;
    try {
      return await this.deps.recentLogins(publicUser(user));
    } catch (err) {
      this.deps.logger.error('express-workos-login: admin.recentLogins(user) failed', { error: err instanceof Error ? err.message : String(err) });
      return null;
    }
  }

  /** Removes the user's MFA factors (here and at WorkOS) and recovery codes and ends their sessions. */
  async resetMfa(id: UserId, options: ChangeOptions = {}): Promise<MfaResetResult> {
    const user = await this.user(id);
    const [factors, codes] = await Promise.all([this.deps.rows.factors(id), this.deps.rows.recoveryCodesLeft(id)]);
    const result = await this.deps.resetMfa(id);
    if (!result) throw new NotFoundError('user', id);
    this.changed(options, 'user.resetMfa', user, { factors: factors.map((f) => ({ id: f.id, type: f.type })), recoveryCodesLeft: codes }, { factors: [], recoveryCodesLeft: 0 });
    return result;
  }

  /**
   * Unlinks the user's SSO identities of a WorkOS connection or organization (its id, or a scope such as
   * `org:org_123`): their next SSO login links again, or is refused, as for a new identity. Resolves to the
   * identities removed (none when no identity matches).
   */
  async unlinkSso(id: UserId, connectionOrOrganization: string, options: ChangeOptions = {}): Promise<IdentityDetails[]> {
    const user = await this.user(id);
    const key = connectionOrOrganization.trim();
    const matching = (await this.deps.rows.identities(id)).filter(
      (i) => key !== '' && (i.connectionId === key || i.organizationId === key || i.scope === key),
    );
    if (matching.length === 0) return [];
    await this.deps.rows.unlinkIdentities(id, matching.map((i) => i.id));
    const summary = (list: IdentityDetails[]) => list.map((i) => ({ scope: i.scope, idpId: i.idpId, connectionId: i.connectionId, organizationId: i.organizationId }));
    this.changed(options, 'user.unlinkSso', user, { identities: summary(matching) }, { identities: [] });
    return matching;
  }

  /** Ends every session of the user on their next request. */
  async endSessions(id: UserId, options: ChangeOptions = {}): Promise<void> {
    const user = await this.user(id);
    await this.deps.users.endAllSessions(id);
    this.changed(options, 'user.endSessions', user, { sessionVersion: user.sessionVersion }, { sessionVersion: user.sessionVersion + 1 });
  }

  /** `isActive = false` and every session ended. */
  async deactivate(id: UserId, options: ChangeOptions = {}): Promise<void> {
    const user = await this.user(id);
    await this.deps.users.deactivate(id);
    this.changed(options, 'user.deactivate', user, { isActive: user.isActive }, { isActive: false });
  }

  /** `isActive = true`; sessions ended earlier stay ended. */
  async reactivate(id: UserId, options: ChangeOptions = {}): Promise<void> {
    const user = await this.user(id);
    await this.deps.rows.reactivate(id);
    this.changed(options, 'user.reactivate', user, { isActive: user.isActive }, { isActive: true });
  }

  private async user(id: UserId): Promise<UserRow> {
    const user = await this.deps.users.findById(id);
    if (!user) throw new NotFoundError('user', id);
    return user;
  }

  private changed(options: ChangeOptions, action: Extract<AdminAction, `user.${string}`>, user: UserRow, before: Record<string, unknown>, after: Record<string, unknown>): void {
    this.deps.events.emit('adminChange', {
      actor: options.actor ?? { type: 'api' },
      action,
      target: { type: 'user', id: user.id, name: user.username },
      before,
      after,
      at: new Date(this.deps.now()),
    });
  }
}
