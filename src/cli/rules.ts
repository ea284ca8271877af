// `express-workos-login rules …`: list, show, add, edit, delete, move, export, import, explain and preview login rules
// in the host's database, through `login.rules` (the same validation as the app and the admin). The field options of
// `add`, `edit` and `preview` come from the method modules' field declarations.
import { readFileSync } from 'node:fs';
import { fieldFromText, fieldToText, ruleFormFields, ruleFormGroups } from '../core/rule-form.ts';
import { ruleCatalog, type LoginRuleInput } from '../core/rules.ts';
import { RuleValidationError } from '../errors.ts';
import { BUILTIN_RULE_ENTRIES } from '../rule-entries.ts';
import type { ImportResult, MoveTarget, StoredRule } from '../rules/admin-api.ts';
import { CliError, guarded, parse, ruleId, subcommand, UsageError, withLogin, type RunContext } from './shared.ts';
import type { CommandIo } from './io.ts';

// The built-in methods' pure declarations, so --help loads no server code.
const catalog = ruleCatalog(BUILTIN_RULE_ENTRIES);
const FIELDS = ruleFormFields(catalog);
const flag = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const FIELD_OPTIONS = Object.fromEntries(FIELDS.map((f) => [flag(f.name), { type: 'string' as const }]));

function fieldHelp(): string {
  return ruleFormGroups(catalog)
    .map((g) => {
      const lines = g.fields.map((f) => {
        const value = f.kind === 'boolean' ? 'true|false' : f.kind === 'tristate' ? 'true|false|default' : f.kind === 'json' ? '<json>' : f.kind === 'list' ? '<a,b>' : f.kind === 'integer' ? '<n>' : f.choices ? f.choices.map((c) => c.value).join('|') : '<text>';
        return `  --${flag(f.name)} ${value}\n      ${f.label}${f.help ? `. ${f.help}` : ''}`;
      });
      return `${g.title}${g.fields[0]?.methods ? ` (${g.fields[0].methods.join(', ')})` : ''}:\n${lines.join('\n')}`;
    })
    .join('\n');
}

const SUMMARY = `Usage: express-workos-login rules <command> [options]

Commands:
  list                       every rule in priority order, with how many users each has
  show <id>                  one rule, every field (broken rules too, with what is wrong)
  add [fields] [--file f]    create a rule
  edit <id> [fields]         change some fields of a rule (the others are kept)
  delete <id>                delete a rule (users' MFA factors and SSO identities are kept)
  move <id> --before <id> | --after <id> | --to top|bottom|up|down
  export                     every rule as JSON, on stdout
  import <file> [--dry-run]  make the rules exactly the file's, all or nothing (- reads stdin)
  explain <username>         which rule applies to a user, and why
  preview [fields] --file f [--id <id>]
                             which users a draft rule would catch, before it is saved

Run "express-workos-login rules <command> --help" for a command's options.`;

const HELP: Record<string, string> = {
  list: 'Usage: express-workos-login rules list [--json]\n\nEvery rule in priority order: id, priority, name, method, whom it targets, and how many active users it has.',
  show: 'Usage: express-workos-login rules show <id> [--json]\n\nEvery field of one rule; a broken rule (while enabled, logins that reach it are refused) with what is wrong.',
  add: `Usage: express-workos-login rules add [field options] [--file rule.json] [--json]\n\nCreates a rule. Fields come from --file (a JSON object) and the options below (options win).\n\n${fieldHelp()}`,
  edit: `Usage: express-workos-login rules edit <id> [field options] [--file fields.json] [--json]\n\nChanges only the given fields; the whole rule is validated again.\n\n${fieldHelp()}`,
  delete: 'Usage: express-workos-login rules delete <id> [--json]\n\nDeletes the rule. Users keep their MFA factors and SSO identities.',
  move: 'Usage: express-workos-login rules move <id> (--before <id> | --after <id> | --to top|bottom|up|down) [--json]\n\nMoves a rule in the priority order; no two rules ever share a priority.',
  export: 'Usage: express-workos-login rules export > rules.json\n\nEvery rule, every field, as JSON (what import reads).',
  import:
    'Usage: express-workos-login rules import <file> [--dry-run] [--json]\n\nMakes the stored rules exactly the file\'s, matched by name: new ones are created, changed ones updated,\nmissing ones deleted, in one transaction. Every rule is validated first; with any error nothing changes.\n  --dry-run    show the changes, write nothing\n  <file>       an export, or a list of rules; - reads stdin',
  explain: 'Usage: express-workos-login rules explain <username> [--json]\n\nWhich rule applies to a username or email address, why, and every rule tried.',
  preview: `Usage: express-workos-login rules preview [field options] [--file draft.json] [--id <id>] [--json]\n\nWhich active users a draft rule would catch if saved (nothing is saved): how many, the first 20,\nand who would move from which rule. With --id, the draft is an edit of that rule (the given fields over it).\n\n${fieldHelp()}`,
};

/** The `rules` commands (for the docs' test). */
export const RULES_COMMANDS: readonly string[] = Object.keys(HELP);

export async function runRulesCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const found = subcommand('rules', argv, HELP, SUMMARY, io);
  if (typeof found === 'number') return found;
  const { sub, rest, usage } = found;
  const json = rest.includes('--json');
  return guarded(io, json, usage, async () => {
    const { values, positionals } = parse(rest, { ...FIELD_OPTIONS, file: { type: 'string' }, 'dry-run': { type: 'boolean' }, before: { type: 'string' }, after: { type: 'string' }, to: { type: 'string' }, id: { type: 'string' } });
    if (values.help) {
      io.out(usage);
      return 0;
    }
    const v = values as Record<string, string | boolean | undefined>;
    const allowed = new Set(['json', 'config', 'schema', ...(ALLOWED[sub] ?? [])]);
    const stray = Object.keys(v).filter((k) => v[k] !== undefined && !allowed.has(k) && !(FIELD_COMMANDS.has(sub) && k in FIELD_OPTIONS));
    if (stray.length) throw new UsageError(`rules ${sub} does not take --${stray.join(', --')}`);
    const max = sub === 'list' || sub === 'export' || sub === 'add' || sub === 'preview' ? 0 : 1;
    if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max]}"`);
    // Parse the command line fully before touching the database.
    const fields = FIELD_COMMANDS.has(sub) ? fieldsFrom(v) : {};
    const document = sub === 'import' ? importDocument(positionals[0]) : undefined;
    if (sub === 'move') moveTarget(v);
    return withLogin(values, io, (ctx) => COMMANDS[sub]!(ctx, positionals, v, fields, document));
  });
}

const FIELD_COMMANDS = new Set(['add', 'edit', 'preview']);
const ALLOWED: Record<string, string[]> = { add: ['file'], edit: ['file'], preview: ['file', 'id'], import: ['dry-run'], move: ['before', 'after', 'to'] };

/** The fields given as options (and in --file), as rule input. */
function fieldsFrom(values: Record<string, string | boolean | undefined>): Partial<LoginRuleInput> {
  let input: Record<string, unknown> = {};
  if (typeof values.file === 'string') {
    const parsed = readJsonFile(values.file);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError(`--file: ${values.file} must hold a JSON object of rule fields`);
    input = { ...(parsed as Record<string, unknown>) };
  }
  for (const field of FIELDS) {
    const text = values[flag(field.name)];
    if (typeof text !== 'string') continue;
    const value = fieldFromText(field.kind, text);
    if (!value.ok) throw new UsageError(`--${flag(field.name)}: ${value.message}`);
    input[field.name] = value.value;
  }
  return input as Partial<LoginRuleInput>;
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const parsed = fieldFromText('json', text);
  if (!parsed.ok) throw new CliError(`${file} ${parsed.message}`);
  return parsed.value;
}

type Handler = (ctx: RunContext, positionals: string[], values: Record<string, string | boolean | undefined>, fields: Partial<LoginRuleInput>, document?: unknown) => Promise<number>;

/** Where `move` puts the rule, from exactly one of --before, --after and --to. */
function moveTarget(v: Record<string, string | boolean | undefined>): MoveTarget {
  const given = [v.before, v.after, v.to].filter((x) => x !== undefined).length;
  if (given !== 1) throw new UsageError('give one of --before <id>, --after <id> or --to top|bottom|up|down');
  if (typeof v.before === 'string') return { before: ruleId(v.before, '--before rule id') };
  if (typeof v.after === 'string') return { after: ruleId(v.after, '--after rule id') };
  const to = String(v.to);
  if (!['top', 'bottom', 'up', 'down'].includes(to)) throw new UsageError(`--to: expected top, bottom, up or down, not "${to}"`);
  return { to: to as 'top' | 'bottom' | 'up' | 'down' };
}

function importDocument(file: string | undefined): unknown {
  if (file === undefined) throw new UsageError('missing the file to import (- reads stdin)');
  return readJsonFile(file);
}

const print = (ctx: RunContext, value: unknown, lines: () => string[]): number => {
  if (ctx.json) ctx.io.out(JSON.stringify(value, null, 2));
  else for (const line of lines()) ctx.io.out(line);
  return 0;
};

function targets(rule: StoredRule['rule']): string {
  const parts: string[] = [];
  if (rule.emailRegex) parts.push(`email ~ /${rule.emailRegex}/`);
  const { hasMfa, hasSso, ...where } = (rule.lookupAttributes ?? {}) as Record<string, unknown>;
  if (hasMfa === true) parts.push('has MFA');
  if (hasSso === true) parts.push('has SSO');
  if (Object.keys(where).length) parts.push(`where ${JSON.stringify(where)}`);
  if (rule.jitCreation && rule.jitCreation !== 'off') parts.push(`JIT ${rule.jitCreation}`);
  return parts.join('; ') || '-';
}

function showLines(s: StoredRule): string[] {
  const lines = [`Rule #${s.id} "${s.rule.name}"${s.issues ? ` (broken${s.rule.enabled ? ': logins that reach it are refused' : ', disabled'})` : ''}`];
  for (const f of FIELDS) {
    const text = fieldToText(f.kind, (s.rule as Record<string, unknown>)[f.name]);
    lines.push(`  ${f.label}: ${text.includes('\n') ? text.replace(/\n/g, '\n    ') : text || '-'}`);
  }
  for (const i of s.issues ?? []) lines.push(`  problem: ${i.path}: ${i.message}`);
  return lines;
}

const warn = (ctx: RunContext, warnings: readonly { path: string; message: string }[]) => {
  for (const w of warnings) ctx.io.err(`warning: ${w.path}: ${w.message}`);
};

const COMMANDS: Record<string, Handler> = {
  async list(ctx) {
    const [rules, usage] = await Promise.all([ctx.api.rules.stored(), ctx.api.rules.usage()]);
    const rows = rules.map((s) => ({ id: s.id, priority: s.rule.priority, name: s.rule.name, method: s.rule.method, enabled: s.rule.enabled, targets: targets(s.rule), users: s.issues ? null : (usage.counts.get(s.id) ?? 0), issues: s.issues }));
    return print(ctx, { rules: rows, activeUsers: usage.total, unmatched: usage.counts.get(null) ?? 0 }, () => [
      ...rows.map((r) => `#${r.id}\t${r.priority}\t${r.name}\t${r.method}${r.enabled ? '' : ' (disabled)'}\t${r.targets}\t${r.users === null ? 'broken' : `${r.users} user(s)`}`),
      `${usage.total} active user(s), ${usage.counts.get(null) ?? 0} with no rule`,
    ]);
  },

  async show(ctx, [id]) {
    const rule = await ctx.api.rules.show(ruleId(id));
    return print(ctx, rule, () => showLines(rule));
  },

  async add(ctx, _p, _v, fields) {
    const checked = await ctx.api.rules.check(fields);
    // Every problem at once (the save itself would stop at the first kind).
    if (!checked.ok) throw new RuleValidationError(checked.errors);
    const rule = await ctx.api.rules.create(fields as LoginRuleInput, { actor: ctx.actor });
    warn(ctx, checked.warnings);
    return print(ctx, { rule: await ctx.api.rules.show(rule.id), warnings: checked.warnings }, () => [`Created rule #${rule.id} "${rule.name}" (${rule.method}, priority ${rule.priority}).`]);
  },

  async edit(ctx, [id], _v, fields) {
    const target = ruleId(id);
    if (Object.keys(fields).length === 0) throw new UsageError('give the fields to change (see --help)');
    const checked = await ctx.api.rules.check(fields, { id: target });
    if (!checked.ok) throw new RuleValidationError(checked.errors);
    const rule = await ctx.api.rules.update(target, fields, { actor: ctx.actor });
    warn(ctx, checked.warnings);
    return print(ctx, { rule: await ctx.api.rules.show(rule.id), warnings: checked.warnings }, () => [`Updated rule #${rule.id} "${rule.name}".`]);
  },

  async delete(ctx, [id]) {
    const rule = await ctx.api.rules.show(ruleId(id));
    await ctx.api.rules.delete(rule.id, { actor: ctx.actor });
    return print(ctx, { deleted: { id: rule.id, name: rule.rule.name } }, () => [`Deleted rule #${rule.id} "${rule.rule.name}".`]);
  },

  async move(ctx, [id], v) {
    const moved = await ctx.api.rules.move(ruleId(id), moveTarget(v));
    return print(ctx, { moved }, () => (moved.length ? moved.map((m) => `Rule #${m.id} "${m.name}": priority ${m.from} → ${m.to}`) : ['Already there: nothing changed.']));
  },

  async export(ctx) {
    ctx.io.out(JSON.stringify(await ctx.api.rules.export(), null, 2));
    return 0;
  },

  async import(ctx, _p, v, _f, document) {
    const dryRun = v['dry-run'] === true;
    const result = await ctx.api.rules.import(document, { dryRun, actor: ctx.actor });
    if (result.errors.length) {
      if (ctx.json) ctx.io.out(JSON.stringify(result, null, 2));
      ctx.io.err('error: the rules are not valid; nothing was imported:');
      for (const e of result.errors) ctx.io.err(`  ${e.path}: ${e.message}`);
      return 1;
    }
    return print(ctx, result, () => importLines(result));
  },

  async explain(ctx, [username]) {
    if (!username) throw new UsageError('missing the username');
    const e = await ctx.api.rules.explain(username);
    return print(ctx, e, () => [
      e.rule ? `Rule #${e.rule.id} "${e.rule.name}" (${e.rule.method}): ${e.reason}` : `No rule: ${e.reason}`,
      e.user ? `User #${e.user.id} ${e.user.username} <${e.user.email}>` : `"${username}" is not an active user.`,
      ...e.trace.map((t) => `  ${t.matched ? 'yes' : 'no '}  #${t.ruleId} ${t.name}: ${t.why}`),
      ...e.broken.map((b) => `  skipped (broken): #${b.id} ${b.name}`),
    ]);
  },

  async preview(ctx, _p, v, fields) {
    const id = typeof v.id === 'string' ? ruleId(v.id, '--id rule id') : undefined;
    if (Object.keys(fields).length === 0) throw new UsageError('give the draft rule with --file draft.json or field options (see --help)');
    const result = await ctx.api.rules.preview(fields, id === undefined ? {} : { id });
    if (!result.ok) {
      if (ctx.json) ctx.io.out(JSON.stringify(result, null, 2));
      warn(ctx, result.warnings);
      ctx.io.err('error: the draft rule is not valid:');
      for (const e of result.errors) ctx.io.err(`  ${e.path}: ${e.message}`);
      return 1;
    }
    warn(ctx, result.warnings);
    const name = (r: { name: string } | null) => (r ? `"${r.name}"` : 'no rule');
    return print(ctx, result, () => [
      `${result.caught} of ${result.total} active user(s) would log in with this rule.`,
      ...result.moves.map((m) => `  ${m.count} from ${name(m.from)} to ${name(m.to)}`),
      ...result.shadowed.map((s) => `  ${s.count} matched but kept by the earlier rule ${name(s.by)}`),
      ...(result.sample.length ? [`${result.caught > result.sample.length ? `The first ${result.sample.length}` : 'They are'}:`] : []),
      ...result.sample.map((u) => `  #${u.id} ${u.username} <${u.email}> (now: ${u.from ? u.from.name : 'no rule'})`),
    ]);
  },
};

function importLines(result: ImportResult): string[] {
  const fmt = (o: Record<string, unknown> | null) => Object.entries(o ?? {}).map(([k, val]) => `${k}=${JSON.stringify(val)}`);
  const lines = result.changes.map((c) => {
    if (c.action === 'create') return `+ create "${c.name}" (${String(c.after?.method)}, priority ${String(c.after?.priority)})`;
    if (c.action === 'delete') return `- delete "${c.name}" (#${c.id})`;
    const before = fmt(c.before);
    const after = fmt(c.after);
    return `~ update "${c.name}" (#${c.id}): ${Object.keys(c.after ?? {}).map((k, i) => `${k}: ${before[i]!.slice(k.length + 1)} → ${after[i]!.slice(k.length + 1)}`).join('; ')}`;
  });
  if (result.unchanged.length) lines.push(`= ${result.unchanged.length} unchanged`);
  if (result.changes.length === 0) lines.push('Nothing to change.');
  else lines.push(result.dryRun ? 'Dry run: nothing was written.' : `Imported: ${result.changes.length} change(s) written.`);
  return lines;
}

