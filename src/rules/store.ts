// The rule API over the rule rows (src/db/rules.ts) and the pure rule engine: loads rules (cached, and re-read
// whenever any instance changed them), validates them on save, and resolves or explains the rule for a login name.
import type { Logger } from '../config.ts';
import { RuleValidationError } from '../errors.ts';
import { parseRuleInput, resolveRule, toLoginRule, type BrokenRule, type Explanation, type LoginRule, type LoginRuleInput, type RuleCatalog, type RuleIssue, type RuleResolution, type RuleSubject } from '../core/rules.ts';
import { checkSavedAttributesModel } from '../core/jit-check.ts';
import { isUniqueViolation, isValidationError, validationSummary } from '../db/errors.ts';
import type { LoginRuleData, LoginRuleRow, RuleRows, UserRow, UserStore } from '../db/ports.ts';
import type { RuleSource } from '../context.ts';

interface Snapshot {
  stamp: string;
  loadedAt: number;
  rules: LoginRule[];
  broken: BrokenRule[];
}

/** How long a snapshot is trusted without asking the database whether rules changed. */
const STAMP_CHECK_MS = 1000;

export type { BrokenRule, Explanation } from '../core/rules.ts';

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
      if (parsed.ok) rules.push(toLoginRule(row.id, parsed.value));
      else {
        broken.push({ id: row.id, name: row.name, issues: parsed.issues });
        this.logger.warn(`express-workos-login: login rule ${row.id} "${row.name}" is invalid and is skipped`, { ruleId: row.id, issues: parsed.issues });
      }
    }
    this.snapshot = { stamp, loadedAt: this.now(), rules, broken };
    return this.snapshot;
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

  /** Resolve the rule for an existing user or an unknown typed name. */
  async resolve(user: UserRow | null, typed: string): Promise<RuleResolution> {
    const { rules } = await this.load();
    const subject: RuleSubject = user
      ? { kind: 'user', userId: user.id, email: user.email, ...(await this.users.facts(user)) }
      : { kind: 'unknown', typed };
    return resolveRule(rules, subject, {
      matchesWhere: async (rule) => {
        if (!user || !rule.where) return false;
        try {
          return await this.users.matchesWhere(user.id, rule.where);
        } catch (err) {
          if (!isValidationError(err)) throw err;
          // A rule written straight to the database with a bad filter must not break every login.
          this.logger.warn(`express-workos-login: lookup attributes of rule ${rule.id} "${rule.name}" are not a valid user filter; skipped`, {
            ruleId: rule.id,
            error: validationSummary(err),
          });
          return false;
        }
      },
    });
  }

  /**
   * The rule an unknown name would get if it were an existing user's email with no per-user attributes: only
   * regex (domain-level) rules can match. Step 2 uses it so that a domain routed to magic links or SSO looks
   * the same for unknown addresses as for real ones.
   */
  async resolveAsEmail(typed: string): Promise<RuleResolution> {
    const { rules } = await this.load();
    return resolveRule(rules, { kind: 'user', userId: 0, email: typed, hasMfa: false, hasSso: false }, { matchesWhere: async () => false });
  }

  /** Which rule applies to a login name, and why. */
  async explain(username: string): Promise<Explanation> {
    const user = await this.users.findForLogin(username);
    const resolution = await this.resolve(user, username);
    return {
      ...resolution,
      username,
      user: user ? { id: user.id, username: user.username, email: user.email } : null,
      broken: (await this.load()).broken,
    };
  }

  async create(input: LoginRuleInput): Promise<LoginRule> {
    const value = await this.validate(input);
    const row = await this.write(() => this.rows.create(inputToData(value), value.jitGroups));
    this.invalidate();
    return toLoginRule(row.id, value);
  }

  async update(id: number, input: LoginRuleInput): Promise<LoginRule> {
    const value = await this.validate(input, id);
    await this.write(() => this.rows.update(id, inputToData(value), value.jitGroups));
    this.invalidate();
    return toLoginRule(id, value);
  }

  /** Deletes the rule only: users' MFA factors and SSO identities are not touched. */
  async delete(id: number): Promise<void> {
    await this.rows.delete(id);
    this.invalidate();
  }

  /**
   * Validates a rule as `create` would (or `update` of rule `exceptId`), without saving it. `clashes: false` skips
   * the check against other rules' names and priorities (an import checks them against the imported set).
   */
  async validate(input: LoginRuleInput, exceptId?: number, options: { clashes?: boolean } = {}): Promise<Extract<ReturnType<typeof parseRuleInput>, { ok: true }>['value']> {
    const parsed = parseRuleInput(input, this.catalog);
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
    if (issues.length) throw new RuleValidationError(issues);
    return value;
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
  };
}

export function inputToData(v: Extract<ReturnType<typeof parseRuleInput>, { ok: true }>['value']): LoginRuleData {
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
  };
}
