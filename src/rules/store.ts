// The rule API over the rule rows (src/db/rules.ts) and the pure rule engine: loads rules (cached, and re-read
// whenever any instance changed them), validates them on save, and resolves or explains the rule for a login name.
import type { Logger } from '../config.ts';
import { LoginError, RuleValidationError } from '../errors.ts';
import {
  blockedReason,
  parseRuleInput,
  passwordFormForEveryone,
  resolveRule,
  sortRules,
  toLoginRule,
  type BrokenRule,
  type Explanation,
  type LoginRule,
  type LoginRuleInput,
  type RuleCatalog,
  type RuleDraft,
  type RuleIssue,
  type RuleProbe,
  type RuleResolution,
  type RuleSubject,
} from '../core/rules.ts';
import { ruleWarnings, type RuleWarning } from '../core/rule-warnings.ts';
import { checkSavedAttributesModel } from '../core/jit-check.ts';
import { filterFields, matchesInMemory, relationShapes, UnsupportedFilter } from '../core/where-eval.ts';
import { isUniqueViolation, isValidationError, validationSummary } from '../db/errors.ts';
import type { LoginRuleData, LoginRuleRow, RelationKind, RuleRows, UserRow, UserStore } from '../db/ports.ts';
import type { RuleSource } from '../context.ts';

interface Snapshot {
  stamp: string;
  loadedAt: number;
  rules: LoginRule[];
  broken: BrokenRule[];
  /** Every user field or relation the rules' lookup filters read: loaded together, at most once per resolution. */
  whereFields: string[];
  /** The relations among them addressed one way only (list or single row): the ones a user's rows are remembered for. */
  relationKinds: ReadonlyMap<string, RelationKind>;
  /** Step 2 is the password form for every name (`passwordFormForEveryone`). */
  passwordFormForEveryone: boolean;
}

/** How long a snapshot is trusted without asking the database whether rules changed. */
const STAMP_CHECK_MS = 1000;

export type { BrokenRule, Explanation, RuleWarnings } from '../core/rules.ts';
export type { RuleWarning } from '../core/rule-warnings.ts';

/** What `validate` resolves to: the rule as it would be saved (defaults filled), with its warnings. */
export type ValidatedRule = RuleDraft & { readonly warnings: readonly RuleWarning[] };

/** The error a login gets while a broken rule blocks it (`RuleResolution.blockedBy`). */
export function isLoginUnavailable(err: unknown): boolean {
  return err instanceof LoginError && err.code === 'login_unavailable';
}

export class RuleStore implements RuleSource {
  private snapshot: Snapshot | null = null;
  private loading: Promise<Snapshot> | null = null;

  constructor(
    private readonly rows: RuleRows,
    private readonly users: UserStore,
    private readonly logger: Logger,
    /** The rule methods and fields of the mounted method modules. */
    private readonly catalog: RuleCatalog,
    private readonly now: () => number = Date.now,
  ) {}

  /** Rule changes made by any app instance show within about a second: a cheap stamp query decides re-reads. */
  async load(): Promise<Snapshot> {
    const current = this.snapshot;
    if (current && this.now() - current.loadedAt < STAMP_CHECK_MS) return current;
    this.loading ??= this.refresh(current).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async refresh(current: Snapshot | null): Promise<Snapshot> {
    const stamp = await this.rows.stamp();
    if (current && current.stamp === stamp) {
      this.snapshot = { ...current, loadedAt: this.now() };
      return this.snapshot;
    }
    const rows = await this.rows.list();
    const rules: LoginRule[] = [];
    const broken: BrokenRule[] = [];
    for (const row of rows) {
      const parsed = parseRuleInput(rowToInput(row), this.catalog);
      const issues = parsed.ok ? await this.filterIssues(parsed.value) : parsed.issues;
      if (parsed.ok && issues.length === 0) {
        rules.push(toLoginRule(row.id, parsed.value));
        continue;
      }
      broken.push({ id: row.id, name: row.name, priority: row.priority, enabled: row.enabled, issues });
      if (row.enabled) {
        // Fails closed: logins that reach it are refused, so say so loudly.
        this.logger.error(`express-workos-login: login rule ${row.id} "${row.name}" is invalid; logins that reach it (priority ${row.priority}) are refused until it is fixed or disabled`, {
          ruleId: row.id,
          issues,
        });
      } else {
        this.logger.warn(`express-workos-login: login rule ${row.id} "${row.name}" is invalid (and disabled)`, { ruleId: row.id, issues });
      }
    }
    const whereFields = new Set<string>();
    for (const r of rules) if (r.where) for (const f of filterFields(r.where)) whereFields.add(f);
    const shapes = new Map<string, RelationKind | null>();
    const relations = this.users.relationFields();
    if (relations) for (const r of rules) if (r.where) relationShapes(r.where, relations, shapes);
    const relationKinds = new Map([...shapes].filter((e): e is [string, RelationKind] => e[1] !== null));
    this.snapshot = { stamp, loadedAt: this.now(), rules, broken, whereFields: [...whereFields], relationKinds, passwordFormForEveryone: passwordFormForEveryone(rules, broken, this.catalog) };
    return this.snapshot;
  }

  /** A `where` the database refuses (written straight to the table) makes the rule broken, found once per load. */
  private async filterIssues(value: RuleDraft): Promise<RuleIssue[]> {
    const { hasMfa: _m, hasSso: _s, ...where } = value.lookupAttributes;
    if (Object.keys(where).length === 0) return [];
    try {
      await this.users.checkFilter(where);
      return [];
    } catch (err) {
      if (!isValidationError(err)) throw err;
      return [{ path: 'lookupAttributes', message: `not a valid filter on the user model: ${validationSummary(err)}` }];
    }
  }

  /** Forget the cache (the next load re-reads). */
  invalidate(): void {
    this.snapshot = null;
  }

  async list(): Promise<LoginRule[]> {
    return (await this.load()).rules;
  }

  async get(id: number): Promise<LoginRule | null> {
    return (await this.load()).rules.find((r) => r.id === id) ?? null;
  }

  /** True while step 2 is the password form whoever types the name: step 1 then skips reading the user. */
  async passwordFormForEveryone(): Promise<boolean> {
    return (await this.load()).passwordFormForEveryone;
  }

  /**
   * Resolve the rule for an existing user or an unknown typed name. Throws `LoginError('login_unavailable', 503)`
   * when a broken enabled rule comes first (the error is logged, naming the rule): a login never falls through
   * a rule that might have been its own.
   */
  async resolve(user: UserRow | null, typed: string): Promise<RuleResolution> {
    return this.unblocked(await this.resolution(user, typed), user ? `user ${user.id}` : 'an unknown name');
  }

  /**
   * The rule an unknown name would get if it were an existing user's email with no per-user attributes: only
   * regex (domain-level) rules can match. Step 2 uses it so that a domain routed to magic links or SSO looks
   * the same for unknown addresses as for real ones. Broken rules block it as they block `resolve`.
   */
  async resolveAsEmail(typed: string): Promise<RuleResolution> {
    const { rules, broken } = await this.load();
    const resolution = await resolveRule(rules, { kind: 'user', userId: 0, email: typed, hasMfa: false, hasSso: false }, { matchesWhere: async () => false }, broken);
    return this.unblocked(resolution, 'an unknown name');
  }

  /**
   * Throws `LoginError('login_unavailable', 503)` when an enabled broken rule comes before `rule` in priority order:
   * for logins that reach a rule without resolving one (just-in-time creation from an SSO profile).
   */
  async assertReachable(rule: LoginRule): Promise<void> {
    const { broken } = await this.load();
    const first = sortRules(broken.filter((b) => b.enabled && (b.priority < rule.priority || (b.priority === rule.priority && b.id < rule.id))))[0];
    if (first) this.unblocked({ rule: null, reason: blockedReason(first), trace: [], blockedBy: first }, `rule ${rule.id} "${rule.name}"`);
  }

  /** Which rule applies to a login name, and why (a blocked login says which broken rule blocks it). */
  async explain(username: string): Promise<Explanation> {
    const user = await this.users.findForLogin(username);
    const resolution = await this.resolution(user, username);
    const { rules, broken } = await this.load();
    return {
      ...resolution,
      username,
      user: user ? { id: user.id, username: user.username, email: user.email } : null,
      broken,
      warnings: sortRules(rules)
        .filter((r) => r.warnings.length > 0)
        .map((r) => ({ ruleId: r.id, name: r.name, warnings: r.warnings })),
    };
  }

  private async resolution(user: UserRow | null, typed: string): Promise<RuleResolution> {
    const { rules, broken, whereFields, relationKinds } = await this.load();
    const subject: RuleSubject = user
      ? { kind: 'user', userId: user.id, email: user.email, ...(await this.users.facts(user)) }
      : { kind: 'unknown', typed };
    const lookup = user ? new UserLookup(this.users, user, whereFields, relationKinds) : null;
    const probe: RuleProbe = {
      matchesWhere: async (rule) => {
        if (!lookup || !rule.where) return false;
        try {
          return await lookup.matches(rule.where);
        } catch (err) {
          if (!isValidationError(err)) throw err;
          // Checked at load, so only a filter the database stopped accepting since (a changed schema) gets here.
          return { invalid: `not a valid filter on the user model: ${validationSummary(err)}` };
        }
      },
    };
    return resolveRule(rules, subject, probe, broken);
  }

  private unblocked(resolution: RuleResolution, who: string): RuleResolution {
    const blocker = resolution.blockedBy;
    if (!blocker) return resolution;
    this.logger.error(`express-workos-login: login refused for ${who}: ${resolution.reason}`, { ruleId: blocker.id, issues: blocker.issues });
    throw new LoginError('login_unavailable', 503);
  }

  /** Saves a new rule. A rule from `list()` (another instance's export) is accepted as it is; its id is ignored. */
  async create(input: LoginRuleInput | LoginRule): Promise<LoginRule> {
    const value = await this.validate(input);
    const row = await this.write(() => this.rows.create(inputToData(value, this.hasDirectoryColumn()), value.jitGroups));
    this.invalidate();
    return toLoginRule(row.id, value);
  }

  /**
   * Changes the fields given and keeps the others: `update(id, { enabled: false })`. A whole rule (from `list()`)
   * works as well. Refused (nothing saved) when no rule has this id or the result is invalid.
   */
  async update(id: number, input: RuleUpdate): Promise<LoginRule> {
    const current = (await this.rows.list()).find((r) => r.id === id);
    if (!current) throw new RuleValidationError([{ path: 'id', message: `no login rule has id ${id}` }]);
    const patch = Object.fromEntries(Object.entries(asRuleInput(input)).filter(([, v]) => v !== undefined));
    const value = await this.validate({ ...rowToInput(current), ...patch } as LoginRuleInput, id);
    await this.write(() => this.rows.update(id, inputToData(value, this.hasDirectoryColumn()), value.jitGroups));
    this.invalidate();
    return toLoginRule(id, value);
  }

  /** Whether the host's LoginRule has the `directoryProvisioning` column (schemas from before 0.2 do not). */
  private hasDirectoryColumn(): boolean {
    const fields = this.rows.dataModel()?.models.LoginRule?.fields;
    return !fields || fields.some((f) => f.name === 'directoryProvisioning');
  }

  /** Deletes the rule only: users' MFA factors and SSO identities are not touched. */
  async delete(id: number): Promise<void> {
    await this.rows.delete(id);
    this.invalidate();
  }

  /**
   * Validates a rule as `create` would (or `update` of rule `exceptId`), without saving it: throws
   * `RuleValidationError` for errors; resolves to the rule as it would be saved, with its `warnings`. `clashes: false`
   * skips the check against other rules' names and priorities (an import checks them against the imported set).
   */
  async validate(input: LoginRuleInput | LoginRule, exceptId?: number, options: { clashes?: boolean } = {}): Promise<ValidatedRule> {
    const parsed = parseRuleInput(asRuleInput(input), this.catalog);
    if (!parsed.ok) throw new RuleValidationError(parsed.issues);
    const value = parsed.value;
    const { hasMfa: _m, hasSso: _s, ...where } = value.lookupAttributes;
    const issues: RuleIssue[] = [];
    // Name the clashing field; the unique constraints (mapped in `write`) still catch races.
    const clashes = options.clashes === false ? [] : await this.rows.clashing(value.name, value.priority, exceptId);
    if (clashes.some((r) => r.name === value.name)) issues.push({ path: 'name', message: `a rule named "${value.name}" already exists` });
    if (clashes.some((r) => r.priority === value.priority)) issues.push({ path: 'priority', message: `another rule already has priority ${value.priority}` });
    if (Object.keys(where).length > 0) {
      try {
        await this.users.checkFilter(where);
      } catch (err) {
        if (!isValidationError(err)) throw err;
        issues.push({ path: 'lookupAttributes', message: `not a valid filter on the user model: ${validationSummary(err)}` });
      }
    }
    // Only fields that exist on the host's models are written (the check needs the client's data model).
    const dataModel = Object.keys(value.savedAttributes).length > 0 ? this.rows.dataModel() : null;
    if (dataModel) {
      for (const i of checkSavedAttributesModel(value.savedAttributes, dataModel)) issues.push({ path: `savedAttributes.${i.path}`, message: i.message });
    }
    if (value.jitGroups.length > 0) {
      const missing = await this.rows.missingGroups(value.jitGroups);
      if (missing.length) issues.push({ path: 'jitGroups', message: `unknown group(s): ${missing.join(', ')}` });
    }
    const mapped = [...new Set(Object.values(value.directoryProvisioning.groups ?? {}))];
    if (mapped.length > 0) {
      const missing = await this.rows.missingGroups(mapped);
      if (missing.length) issues.push({ path: 'directoryProvisioning.groups', message: `unknown group(s): ${missing.join(', ')}` });
    }
    if (issues.length) throw new RuleValidationError(issues);
    return Object.assign(value, { warnings: Object.freeze(ruleWarnings(value)) });
  }

  private async write(fn: () => Promise<LoginRuleRow>): Promise<LoginRuleRow> {
    try {
      return await fn();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new RuleValidationError([{ path: 'name', message: 'a rule with this name or priority already exists' }]);
      }
      throw err;
    }
  }
}

/** What `update` takes: some fields of a rule, or a whole rule as `list()` gives it. */
export type RuleUpdate = Partial<LoginRuleInput> | LoginRule;

/**
 * A rule as `list()` gives it (matching form: `where`, `hasMfa`, `hasSso`, an id) back in input form, so that rules
 * exported from one instance can be created or updated in another. Input-form objects pass unchanged.
 */
export function asRuleInput<T extends Partial<LoginRuleInput> | LoginRule>(input: T): Partial<LoginRuleInput> {
  if (!input || typeof input !== 'object' || !('where' in input) || 'lookupAttributes' in input) return input as Partial<LoginRuleInput>;
  const { id: _id, where, hasMfa, hasSso, jitGroups, savedAttributes, warnings: _warnings, directoryProvisioning, ...rest } = input as LoginRule;
  // The rule object spells out "nothing" ({ users: false, groups: {} }); as input, that is no provisioning at all.
  const provisioning = directoryProvisioning && {
    ...(directoryProvisioning.users ? { users: true } : {}),
    ...(Object.keys(directoryProvisioning.groups).length > 0 ? { groups: { ...directoryProvisioning.groups } } : {}),
  };
  return {
    ...rest,
    ...(provisioning && Object.keys(provisioning).length > 0 && { directoryProvisioning: provisioning }),
    ...(jitGroups !== undefined && { jitGroups: [...jitGroups] }),
    ...(savedAttributes !== undefined && { savedAttributes: { ...savedAttributes } }),
    lookupAttributes: { ...(where ?? {}), ...(hasMfa ? { hasMfa: true } : {}), ...(hasSso ? { hasSso: true } : {}) },
  };
}

/**
 * Answers one resolution's lookup filters for one user: in memory from the row the login already read (with the
 * relation rows checked in that same statement, when an earlier login remembered them), plus one read of the
 * fields (relations) the snapshot's filters name that the row lacks; a filter outside the in-memory subset
 * (src/core/where-eval.ts) costs one `count` query of its own.
 */
class UserLookup {
  private row: Record<string, unknown>;
  private loaded: Promise<void> | null = null;

  constructor(
    private readonly users: UserStore,
    private readonly user: UserRow,
    private readonly fields: readonly string[],
    private readonly kinds: ReadonlyMap<string, RelationKind>,
  ) {
    this.row = { ...(user as unknown as Record<string, unknown>), ...users.preloadedRelations(user) };
  }

  async matches(where: Readonly<Record<string, unknown>>): Promise<boolean> {
    if ([...filterFields(where)].some((f) => !Object.prototype.hasOwnProperty.call(this.row, f))) {
      this.loaded ??= this.load();
      await this.loaded;
    }
    try {
      return matchesInMemory(this.row, where, this.users.relationFields() ?? undefined);
    } catch (err) {
      if (!(err instanceof UnsupportedFilter)) throw err;
      return this.users.matchesWhere(this.user.id, where);
    }
  }

  private async load(): Promise<void> {
    const missing = this.fields.filter((f) => !Object.prototype.hasOwnProperty.call(this.row, f));
    let extra: Record<string, unknown> | null = null;
    try {
      extra = missing.length > 0 ? await this.users.readFields(this.user.id, missing) : null;
    } catch (err) {
      // A field the schema lost since the rules loaded: each filter then asks the database, which names its own fault.
      if (!isValidationError(err)) throw err;
    }
    // A user deleted mid-login keeps the row as read; the filters needing more fall back to the database.
    if (!extra) return;
    this.row = { ...this.row, ...extra };
    this.users.rememberRelations(this.user, this.row, this.kinds);
  }
}

export function rowToInput(row: LoginRuleRow): Record<string, unknown> {
  return {
    name: row.name,
    method: row.method,
    priority: row.priority,
    enabled: row.enabled,
    emailRegex: row.emailRegex,
    lookupAttributes: row.lookupAttributes,
    connectionId: row.connectionId,
    organizationId: row.organizationId,
    jitCreation: row.jitCreation,
    jitGroups: (row.jitGroups ?? []).map((g) => g.name),
    savedAttributes: row.savedAttributes,
    totpOrganizationName: row.totpOrganizationName,
    allowIdpInitiated: row.allowIdpInitiated,
    linkExistingByEmail: row.linkExistingByEmail,
    directoryProvisioning: row.directoryProvisioning ?? '{}',
  };
}

export function inputToData(v: RuleDraft, directoryColumn = true): LoginRuleData {
  return {
    name: v.name,
    method: v.method,
    priority: v.priority,
    enabled: v.enabled,
    emailRegex: v.emailRegex,
    lookupAttributes: JSON.stringify(v.lookupAttributes),
    connectionId: v.connectionId,
    organizationId: v.organizationId,
    jitCreation: v.jitCreation,
    savedAttributes: JSON.stringify(v.savedAttributes),
    totpOrganizationName: v.totpOrganizationName,
    allowIdpInitiated: v.allowIdpInitiated,
    linkExistingByEmail: v.linkExistingByEmail,
    // A host whose schema predates the column keeps saving rules that do not use it.
    ...(directoryColumn || Object.keys(v.directoryProvisioning).length > 0 ? { directoryProvisioning: JSON.stringify(v.directoryProvisioning) } : {}),
  };
}
