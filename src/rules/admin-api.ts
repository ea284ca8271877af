// `login.rules` for people who manage rules (the admin pages, the CLI, host code): the rule store plus partial
// updates, per-field errors with warnings kept apart, reordering, previews, and export / all-or-nothing import.
// Every change goes through the store's validation and emits one `adminChange` event per rule it changed.
import type { Logger } from '../config.ts';
import type { EventSink } from '../context.ts';
import { planMove, type MoveTarget } from '../core/rule-order.ts';
import { ruleWarnings, type RuleWarning } from '../core/rule-warnings.ts';
import { toLoginRule, type LoginRule, type LoginRuleInput, type RuleCatalog, type RuleDraft, type RuleIssue } from '../core/rules.ts';
import type { AdminRepositories } from '../db/admin-ports.ts';
import { isUniqueViolation, validationSummary } from '../db/errors.ts';
import type { RuleRows, UserStore } from '../db/ports.ts';
import { NotFoundError, RuleValidationError } from '../errors.ts';
import type { AdminAction, AdminActor } from '../events.ts';
import { previewRule, ruleUsage, type RulePreview, type RuleUsage } from './preview.ts';
import { changedFields, ruleToInput, rulesDocumentSchema, stableJson, storedRule, type RulesDocument, type StoredRule } from './rule-json.ts';
import { inputToData, RuleStore } from './store.ts';

export type { MoveTarget } from '../core/rule-order.ts';
export type { PreviewRuleRef, RulePreview, RuleUsage } from './preview.ts';
export type { ExportedRule, RulesDocument, StoredRule } from './rule-json.ts';

/** Who is making a change (default: `{ type: 'api' }`). */
export interface ChangeOptions {
  actor?: AdminActor;
}

/** A rule checked as it would be saved: errors per field, and warnings that do not block a save. */
export interface RuleCheck {
  ok: boolean;
  errors: RuleIssue[];
  warnings: RuleWarning[];
}

export type PreviewResult = ({ ok: true } & RulePreview & { warnings: RuleWarning[] }) | ({ ok: false } & RuleCheck);

/** One rule an import creates, updates (with the fields that change) or deletes. */
export interface ImportChange {
  action: 'create' | 'update' | 'delete';
  name: string;
  id: number | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface ImportResult {
  dryRun: boolean;
  /** True when the rules were written (never for a dry run, or when nothing differs). */
  applied: boolean;
  changes: ImportChange[];
  /** Names of the rules the import leaves as they are. */
  unchanged: string[];
  /** Only a dry run returns errors; a real import with errors throws them and changes nothing. */
  errors: RuleIssue[];
}

type MoveResult = { id: number; name: string; from: number; to: number }[];

export class RuleAdmin extends RuleStore {
  constructor(
    private readonly ruleRows: RuleRows,
    users: UserStore,
    private readonly log: Logger,
    private readonly ruleCatalog: RuleCatalog,
    private readonly clock: () => number,
    private readonly admin: AdminRepositories,
    private readonly events: EventSink,
  ) {
    super(ruleRows, users, log, ruleCatalog, clock);
  }

  /** Every stored rule in priority order, broken ones included (with their issues). */
  async stored(): Promise<StoredRule[]> {
    return (await this.ruleRows.list()).map((row) => storedRule(row, this.ruleCatalog));
  }

  /** One stored rule, broken or not; throws `NotFoundError` when no rule has this id. */
  async show(id: number): Promise<StoredRule> {
    const found = (await this.stored()).find((r) => r.id === id);
    if (!found) throw new NotFoundError('rule', id);
    return found;
  }

  override async create(input: LoginRuleInput, options: ChangeOptions = {}): Promise<LoginRule> {
    const rule = await super.create(input);
    this.changed(options, 'rule.create', rule, null, ruleToInput(rule));
    return rule;
  }

  /** A partial update: the given fields over the stored rule, then the whole rule validated as on create. */
  override async update(id: number, patch: Partial<LoginRuleInput>, options: ChangeOptions = {}): Promise<LoginRule> {
    const before = await this.show(id);
    const rule = await super.update(id, { ...before.rule, ...patch } as LoginRuleInput);
    const diff = changedFields(before.rule, ruleToInput(rule));
    if (Object.keys(diff.after).length > 0) this.changed(options, 'rule.update', rule, diff.before, diff.after);
    return rule;
  }

  /** Deletes the rule only: users' MFA factors and SSO identities are not touched. */
  override async delete(id: number, options: ChangeOptions = {}): Promise<void> {
    const before = await this.show(id);
    await super.delete(id);
    this.changed(options, 'rule.delete', { id, name: before.rule.name }, before.rule, null);
  }

  /** Validates without saving: every error with its field, and warnings apart. `id`: check an update of that rule (`patch` over it). */
  async check(input: Partial<LoginRuleInput>, options: { id?: number } = {}): Promise<RuleCheck & { value: RuleDraft | null }> {
    const full = options.id === undefined ? input : { ...(await this.show(options.id)).rule, ...input };
    try {
      const value = await this.validate(full as LoginRuleInput, options.id);
      return { ok: true, errors: [], warnings: ruleWarnings(value), value };
    } catch (err) {
      if (!(err instanceof RuleValidationError)) throw err;
      const errors = [...err.issues, ...(await this.clashesOf(full, options.id, err.issues))];
      const regex = (full as { emailRegex?: unknown }).emailRegex;
      return { ok: false, errors, warnings: typeof regex === 'string' ? ruleWarnings({ emailRegex: regex }) : [], value: null };
    }
  }

  /** A rule refused before the database checks still hears about a taken name or priority, so one round shows all. */
  private async clashesOf(input: Partial<LoginRuleInput>, exceptId: number | undefined, found: readonly RuleIssue[]): Promise<RuleIssue[]> {
    if (found.some((i) => i.path === 'name' || i.path === 'priority')) return [];
    const { name, priority } = input as { name?: unknown; priority?: unknown };
    if (typeof name !== 'string' || !Number.isInteger(priority)) return [];
    const clashes = await this.ruleRows.clashing(name.trim(), priority as number, exceptId);
    return [
      ...(clashes.some((r) => r.name === name.trim()) ? [{ path: 'name', message: `a rule named "${name.trim()}" already exists` }] : []),
      ...(clashes.some((r) => r.priority === priority) ? [{ path: 'priority', message: `another rule already has priority ${String(priority)}` }] : []),
    ];
  }

  /** Moves a rule before or after another, one place up or down, or to the top or bottom; no two rules ever share a priority. */
  async move(id: number, target: MoveTarget, options: ChangeOptions = {}): Promise<MoveResult> {
    const rows = await this.ruleRows.list();
    const plan = planMove(rows, id, target);
    if (!plan.ok) {
      const missing = /no rule has id (-?\d+)/.exec(plan.message);
      throw missing ? new NotFoundError('rule', Number(missing[1])) : new RuleValidationError([{ path: plan.path, message: plan.message }]);
    }
    if (plan.changes.length === 0) return [];
    try {
      await this.admin.rules.setPriorities(plan.changes.map((c) => ({ id: c.id, to: c.to })));
    } catch (err) {
      if (isUniqueViolation(err)) throw new RuleValidationError([{ path: 'priority', message: 'the rules changed while moving; nothing was moved, try again' }]);
      throw err;
    }
    this.invalidate();
    const names = new Map(rows.map((r) => [r.id, r.name]));
    const result = plan.changes.map((c) => ({ id: c.id, name: names.get(c.id)!, from: c.from, to: c.to }));
    for (const c of result) this.changed(options, 'rule.move', c, { priority: c.from }, { priority: c.to }, c.id === id ? undefined : 'move');
    return result;
  }

  /** Which active users a draft would catch if saved (`id`: as an edit of that rule, `draft` over it). Nothing is saved. */
  async preview(draft: Partial<LoginRuleInput>, options: { id?: number } = {}): Promise<PreviewResult> {
    const checked = await this.check(draft, options);
    if (!checked.ok || !checked.value) return { ok: false, errors: checked.errors, warnings: checked.warnings };
    const result = await previewRule(this.admin.preview, await this.load(), toLoginRule(options.id ?? 0, checked.value), (rule, err) => this.badFilter(rule, err));
    return { ok: true, warnings: checked.warnings, ...result };
  }

  /** How many active users each valid rule has now. */
  async usage(): Promise<RuleUsage> {
    return ruleUsage(this.admin.preview, await this.load(), (rule, err) => this.badFilter(rule, err));
  }

  private badFilter(rule: LoginRule, err: unknown): void {
    this.log.warn(`express-workos-login: lookup attributes of rule ${rule.id} "${rule.name}" are not a valid user filter; skipped`, { ruleId: rule.id, error: validationSummary(err) });
  }

  /** Every rule, every field, in priority order: what `import` reads back. */
  async export(): Promise<RulesDocument> {
    return { version: 1, rules: (await this.stored()).map((s) => s.rule) };
  }

  /**
   * Makes the stored rules exactly the document's (matched by name: new ones created, changed ones updated, missing
   * ones deleted), in one transaction. Every rule is validated first; with any error nothing changes (a real import
   * throws `RuleValidationError`, a dry run returns the errors). A dry run returns the changes without writing them.
   */
  async import(document: unknown, options: ChangeOptions & { dryRun?: boolean } = {}): Promise<ImportResult> {
    const dryRun = options.dryRun === true;
    const doc = rulesDocumentSchema.safeParse(document);
    if (!doc.success) return this.importFailed(dryRun, [{ path: '(document)', message: 'expected { "version": 1, "rules": [...] } or a list of rules' }]);
    const errors: RuleIssue[] = [];
    const values: RuleDraft[] = [];
    for (const [i, input] of doc.data.rules.entries()) {
      try {
        values.push(await this.validate(input as LoginRuleInput, undefined, { clashes: false }));
      } catch (err) {
        if (!(err instanceof RuleValidationError)) throw err;
        errors.push(...err.issues.map((issue) => ({ path: `rules.${i}.${issue.path}`, message: issue.message })));
      }
    }
    const seen = { name: new Map<string, number>(), priority: new Map<number, number>() };
    values.forEach((v, i) => {
      for (const key of ['name', 'priority'] as const) {
        const first = (seen[key] as Map<unknown, number>).get(v[key]);
        if (first !== undefined) errors.push({ path: `rules.${i}.${key}`, message: `rule ${first} has the same ${key} (${String(v[key])})` });
        else (seen[key] as Map<unknown, number>).set(v[key], i);
      }
    });
    if (errors.length) return this.importFailed(dryRun, errors);

    const existing = await this.stored();
    const byName = new Map(existing.map((s) => [s.rule.name, s]));
    const changes: ImportChange[] = [];
    const unchanged: string[] = [];
    const writes = { delete: [] as number[], update: [] as { id: number; data: ReturnType<typeof inputToData>; jitGroups: string[] }[], create: [] as { data: ReturnType<typeof inputToData>; jitGroups: string[] }[] };
    for (const value of values) {
      const old = byName.get(value.name);
      if (!old) {
        changes.push({ action: 'create', name: value.name, id: null, before: null, after: value });
        writes.create.push({ data: inputToData(value), jitGroups: value.jitGroups });
        continue;
      }
      const diff = changedFields(old.rule, value);
      if (Object.keys(diff.after).length === 0 && !old.issues) unchanged.push(value.name);
      else {
        changes.push({ action: 'update', name: value.name, id: old.id, before: diff.before, after: diff.after });
        writes.update.push({ id: old.id, data: inputToData(value), jitGroups: value.jitGroups });
      }
    }
    const incoming = new Set(values.map((v) => v.name));
    for (const old of existing.filter((s) => !incoming.has(s.rule.name))) {
      changes.push({ action: 'delete', name: old.rule.name, id: old.id, before: old.rule, after: null });
      writes.delete.push(old.id);
    }
    if (dryRun || changes.length === 0) return { dryRun, applied: false, changes, unchanged, errors: [] };
    try {
      await this.admin.rules.applyImport(writes);
    } catch (err) {
      if (isUniqueViolation(err)) throw new RuleValidationError([{ path: '(document)', message: 'the rules changed while importing; nothing was imported, try again' }]);
      throw err;
    } finally {
      this.invalidate();
    }
    const ids = new Map((await this.ruleRows.list()).map((r) => [r.name, r.id]));
    for (const c of changes) {
      const action = `rule.${c.action}` as const;
      this.changed(options, action, { id: c.id ?? ids.get(c.name) ?? 0, name: c.name }, c.before, c.after, 'import');
    }
    return { dryRun, applied: true, changes, unchanged, errors: [] };
  }

  private importFailed(dryRun: boolean, errors: RuleIssue[]): ImportResult {
    if (!dryRun) throw new RuleValidationError(errors);
    return { dryRun, applied: false, changes: [], unchanged: [], errors };
  }

  private changed(
    options: ChangeOptions,
    action: Extract<AdminAction, `rule.${string}`>,
    rule: { id: number; name: string },
    before: Record<string, unknown> | null,
    after: Record<string, unknown> | null,
    via?: 'import' | 'move',
  ): void {
    this.events.emit('adminChange', {
      actor: options.actor ?? { type: 'api' },
      action,
      target: { type: 'rule', id: rule.id, name: rule.name },
      // Copies: a listener that keeps the event must not see later changes (nor change our values).
      before: before && (JSON.parse(stableJson(before)) as Record<string, unknown>),
      after: after && (JSON.parse(stableJson(after)) as Record<string, unknown>),
      at: new Date(this.clock()),
      ...(via && { via }),
    });
  }
}

