// What the rest of the library may ask of the database: interfaces only. The implementations live beside this
// file (users.ts, rules.ts, tokens.ts, mfa.ts, identities.ts, jit.ts, rate-limit.ts) and are built once, from the
// host's client, by `createRepositories` (index.ts). Code outside src/db/ depends on these types, never on the
// classes, so no folder needs a (type) import of the data layer's implementation.
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DataModel } from '../core/jit-model.ts';
import type { JitPlan } from '../core/jit.ts';
import type { FactorRow, FactorType, IdentityData, IdentityRow, LoginRuleData, LoginRuleRow, MagicLinkRow, TokenRow, UserFacts, UserRow } from './types.ts';
import type { UserId } from '../user-types.ts';
import type { RelationKind } from './relation-cache.ts';

export type { RelationKind } from './relation-cache.ts';
export type { FactorRow, FactorType, IdentityData, IdentityRow, LoginRuleData, LoginRuleRow, MagicLinkRow, TokenRow, UserFacts, UserRow, WebhookEventRow } from './types.ts';

/** Users as the login flows need them. `Active` lookups honour the configured active-user filter. */
export interface UserStore {
  /** The user a login name refers to (exact username, else a unique case-insensitive email), with `facts`. */
  findForLogin(typed: string): Promise<UserRow | null>;
  /** An active user by id, with `facts`. */
  findActiveById(id: UserId): Promise<UserRow | null>;
  /** An active user by id, without `facts`: what a logged-in page view needs, in the cheapest read. */
  findSessionUser(id: UserId): Promise<UserRow | null>;
  /** Any user by id, active or not. */
  findById(id: UserId): Promise<UserRow | null>;
  /** Active users whose email equals `email`, ignoring case (oldest first), with `facts`. */
  findActiveByEmail(email: string, take?: number): Promise<UserRow[]>;
  /** Every user, active or not, whose email equals `email`, ignoring case (oldest first). */
  findAnyByEmail(email: string, take?: number): Promise<UserRow[]>;
  /** The user's facts: the ones read with the user when present, else read now. */
  facts(user: Pick<UserRow, 'id' | 'facts'>): Promise<UserFacts>;
  /** Does the user match a Prisma `where`? Throws the client's validation error for a malformed filter. */
  matchesWhere(userId: UserId, where: Readonly<Record<string, unknown>>): Promise<boolean>;
  /**
   * The named fields of one user (scalars, and relations as their rows' scalars) in one read, for answering
   * lookup-attribute filters in memory. Null when the user is gone.
   */
  readFields(userId: UserId, fields: readonly string[]): Promise<Record<string, unknown> | null>;
  /**
   * The relation rows that came with this row from `findForLogin`, checked against the database in the same
   * statement (empty when none did): a login's lookup rules read them instead of reading the relations again.
   */
  preloadedRelations(user: UserRow): Record<string, unknown>;
  /** Remembers the relation rows the lookup rules read for this user, for the next `findForLogin` to check and reuse. */
  rememberRelations(user: UserRow, rows: Readonly<Record<string, unknown>>, kinds: ReadonlyMap<string, RelationKind>): void;
  /** The user model's relation field names, when the client describes its models (else null). */
  relationFields(): ReadonlySet<string> | null;
  /** Runs a `where` on the user model once; throws the client's validation error when it is malformed. */
  checkFilter(where: Readonly<Record<string, unknown>>): Promise<void>;
  recordLogin(userId: UserId, passwordHash?: string): Promise<void>;
  /** Sets a new password hash and ends every other session of the user. */
  setPassword(userId: UserId, passwordHash: string): Promise<UserRow>;
  /** `isActive = false` and every session ended. */
  deactivate(userId: UserId): Promise<void>;
  endAllSessions(userId: UserId): Promise<void>;
}

/** The LoginRule rows and the groups they name. */
export interface RuleRows {
  /** Every rule with its JIT groups, by priority then id. */
  list(): Promise<LoginRuleRow[]>;
  /** Changes whenever a rule is created, updated or deleted. */
  stamp(): Promise<string>;
  /** Throws the client's unique violation when the name or priority is taken. */
  create(data: LoginRuleData, jitGroups: readonly string[]): Promise<LoginRuleRow>;
  update(id: number, data: LoginRuleData, jitGroups: readonly string[]): Promise<LoginRuleRow>;
  delete(id: number): Promise<void>;
  /** Rules (other than `exceptId`) that already use this name or priority. */
  clashing(name: string, priority: number, exceptId?: number): Promise<LoginRuleRow[]>;
  /** The names among `names` that no group has. */
  missingGroups(names: readonly string[]): Promise<string[]>;
  /** Creates the rule unless one of that name exists. */
  seed(rule: Pick<LoginRuleData, 'name' | 'method' | 'priority' | 'emailRegex'>): Promise<void>;
  /** The host's models as its client describes them, or null when the client does not say. */
  dataModel(): DataModel | null;
}

/** Single-use tokens stored only as hashes: a new one replaces the user's older ones; using one is atomic. */
export interface TokenStore<Row extends TokenRow> {
  /** Saves the token and deletes every older token of the user, in one transaction. */
  issue(token: Omit<Row, 'id' | 'usedAt' | 'createdAt'>): Promise<void>;
  /** The unused row for this hash that has not expired at `now`, or null. */
  findValid(tokenHash: string, now: Date): Promise<Row | null>;
  /** Of any number of concurrent calls, exactly one flips `usedAt` (if unexpired at `now`) and gets true. */
  consume(id: number, now: Date): Promise<boolean>;
  /** Deletes up to `limit` used or (at `now`) expired tokens, oldest first; resolves to how many. */
  prune(now: Date, limit: number): Promise<number>;
}

export interface ResetTokenStore extends TokenStore<TokenRow> {
  /**
   * The password reset, in one transaction: uses the token up (false when another request did first), sets the
   * password hash, ends the user's sessions and deletes their other reset tokens.
   */
  consumeAndSetPassword(token: Pick<TokenRow, 'id' | 'userId'>, passwordHash: string, now: Date): Promise<boolean>;
}

/** Saved MFA factors (WorkOS ids) and hashed recovery codes. */
export interface MfaRows {
  /** Oldest first (the first one is challenged at login). */
  factors(userId: UserId): Promise<FactorRow[]>;
  /** Saves a first factor with these recovery-code hashes, in one transaction; null when the user has a factor already. */
  saveFirstFactor(
    userId: UserId,
    factor: { workosFactorId: string; type: FactorType; phoneNumber?: string },
    recoveryCodeHashes: readonly string[],
  ): Promise<FactorRow | null>;
  touchFactor(id: number): Promise<void>;
  /** Uses an unused recovery code of the user once: only one request can flip `usedAt`. */
  useRecoveryCode(userId: UserId, codeHash: string): Promise<boolean>;
  /** Deletes every factor and recovery code of the user and ends all their sessions. */
  removeAll(userId: UserId): Promise<{ factors: number; recoveryCodes: number }>;
}

/** SSO identities, keyed by (scope, IdP id). */
export interface IdentityStore {
  find(scope: string, idpId: string): Promise<IdentityRow | null>;
  /** Does the user already have an identity in this scope under another IdP id? */
  hasOtherInScope(userId: UserId, scope: string, idpId: string): Promise<boolean>;
  /** Throws the client's unique violation when the identity is linked already. */
  link(userId: UserId, identity: IdentityData): Promise<void>;
  touch(id: number, seen: Pick<IdentityData, 'profileId' | 'connectionId' | 'connectionType' | 'lastLoginAt'>): Promise<void>;
  /** The identity of a Directory Sync user in a scope: by directory user id, else by (scope, IdP id). */
  findDirectoryUser(scope: string, directoryUserId: string, idpId: string): Promise<IdentityRow | null>;
  /** Remembers which directory user an identity belongs to. */
  setDirectoryUser(id: number, directoryUserId: string): Promise<void>;
}

/** Group membership, by group name (for Directory Sync group events). */
export interface GroupStore {
  /** Adds (`member`) or removes the user's membership of each existing named group; resolves to the names changed. */
  setMembership(userId: UserId, groups: readonly string[], member: boolean): Promise<string[]>;
}

/** WorkOS webhook events received: a replayed delivery is refused and a redelivered event is not run twice. */
export interface WebhookEventStore {
  /** Records the event as received with this signature; `seen` (with the first signature) when it was before. */
  claim(eventId: string, signature: string): Promise<{ kind: 'new' } | { kind: 'seen'; signature: string }>;
  /** Forgets a claim whose processing failed, so that WorkOS's retry runs it. */
  release(eventId: string): Promise<void>;
  /** Deletes the events received before `before`; resolves to how many. */
  prune(before: Date): Promise<number>;
}

export type JitCreateResult =
  | { kind: 'created'; user: UserRow }
  /** Another request created (and linked) this identity first. */
  | { kind: 'existing'; userId: UserId }
  | { kind: 'refused'; reason: 'username_taken' | 'link_missing'; detail: string };

/** Applies JIT plans (src/core/jit.ts), each in one transaction. */
export interface JitWriter {
  /**
   * The user, everything the plan describes, the groups and the identity, in one transaction. Concurrent first
   * logins of one identity create one user: the others get `existing`.
   */
  create(input: { plan: JitPlan; username: string; groups: readonly string[]; identity: IdentityData }): Promise<JitCreateResult>;
  /** Writes the plan onto an existing user; `notes` are links left as they were (for the log). */
  update(userId: UserId, plan: JitPlan): Promise<{ notes: string[] }>;
}

/** Every repository, built once per router from the host's client. */
export interface Repositories {
  users: UserStore;
  rules: RuleRows;
  tokens: {
    passwordReset: ResetTokenStore;
    /** Null when the host's schema lacks the MagicLinkToken model (only the local magic-link provider needs it). */
    magicLink: TokenStore<MagicLinkRow> | null;
  };
  mfa: MfaRows;
  identities: IdentityStore;
  groups: GroupStore;
  /** Null when the host's schema lacks the WorkosWebhookEvent model (only `sso.webhookSecret` needs it). */
  webhookEvents: WebhookEventStore | null;
  jit: JitWriter;
  /** The host's models as its client describes them, or null when the client does not say. */
  dataModel: DataModel | null;
}

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  duration: number;
  blockDuration: number;
}

/** Builds rate limiters whose counters live in the host's database (`rateLimit.store: 'database'`). */
export type DatabaseLimiters = (options: LimiterOptions) => RateLimiterAbstract;
