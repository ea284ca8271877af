// What the admin API (src/rules/admin-api.ts, src/users/admin-api.ts) may ask of the database: interfaces only,
// like ports.ts. The implementation is src/db/admin.ts.
import type { FactorRow, LoginRuleData, UserRow } from './types.ts';
import type { UserId } from '../user-types.ts';

/** One rule write of an import: the columns and the JIT groups by name. */
export interface RuleWrite {
  data: LoginRuleData;
  jitGroups: readonly string[];
}

/** Rule writes that touch many rows, each in one transaction. */
export interface AdminRuleRows {
  /** Sets these priorities at once: no two rules share a priority at any point, and all or none are written. */
  setPriorities(changes: readonly { id: number; to: number }[]): Promise<void>;
  /** Deletes, updates and creates rules in one transaction: all of it is written, or none. */
  applyImport(plan: { delete: readonly number[]; update: readonly (RuleWrite & { id: number })[]; create: readonly RuleWrite[] }): Promise<void>;
}

/** A user as the preview reads them, in bulk. */
export interface PreviewUserRow {
  id: UserId;
  email: string;
}

/**
 * Narrows a bulk read to users a rule could apply to: any whose email contains one of `emailContains` (ignoring
 * case), any that `wheres` match, any with an MFA factor (`withFactor`) or an SSO identity (`withIdentity`).
 */
export interface CandidateFilter {
  emailContains: readonly string[];
  wheres: readonly Readonly<Record<string, unknown>>[];
  withFactor: boolean;
  withIdentity: boolean;
}

/** Bulk reads for counting and previewing which users rules catch. Only active users (the config's filter) count. */
export interface PreviewRows {
  /** Active users with an id above `afterId` (only `candidates` when given), in id order, at most `take`. */
  activeUsers(afterId: UserId | null, take: number, candidates?: CandidateFilter): Promise<PreviewUserRow[]>;
  countActive(): Promise<number>;
  /** Ids of users with at least one MFA factor. */
  usersWithFactor(): Promise<Set<UserId>>;
  /** Ids of users with at least one SSO identity. */
  usersWithIdentity(): Promise<Set<UserId>>;
  /** Ids of active users a `where` matches; throws the client's validation error for a malformed filter. */
  activeMatching(where: Readonly<Record<string, unknown>>): Promise<Set<UserId>>;
  /** Id, username and email of these users (any order). */
  usersByIds(ids: readonly UserId[]): Promise<{ id: UserId; username: string; email: string }[]>;
}

/** An SSO identity as the admin shows it. */
export interface IdentityDetails {
  id: number;
  scope: string;
  idpId: string;
  connectionId: string;
  organizationId: string;
  connectionType: string;
  createdAt: Date;
  lastLoginAt: Date | null;
}

/** Users as support needs them: any user, active or not. */
export interface AdminUserRows {
  /** The user with this username, else the only user with this email (ignoring case); active or not. */
  findByName(name: string): Promise<UserRow | null>;
  /** Users whose username or email contains `query` (ignoring case where the database can), by username. */
  search(query: string, take: number): Promise<UserRow[]>;
  factors(userId: UserId): Promise<FactorRow[]>;
  recoveryCodesLeft(userId: UserId): Promise<number>;
  identities(userId: UserId): Promise<IdentityDetails[]>;
  /** Deletes these identities of the user; resolves to how many went. */
  unlinkIdentities(userId: UserId, ids: readonly number[]): Promise<number>;
  /** `isActive = true` (sessions ended at deactivation stay ended). */
  reactivate(userId: UserId): Promise<void>;
}

/** The admin's repositories, built once per router from the host's client. */
export interface AdminRepositories {
  rules: AdminRuleRows;
  preview: PreviewRows;
  users: AdminUserRows;
}
