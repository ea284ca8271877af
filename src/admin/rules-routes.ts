// The admin's rule pages: the list in priority order (with how many users each rule has, and up / down / to top
// buttons), the grouped edit form with per-field errors and warnings and the preview, delete with confirmation, the
// "which rule applies to…" box and the JSON export. Every write goes through `login.rules`.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Context } from '../context.ts';
import type { LoginRuleInput, RuleCatalog, RuleIssue } from '../core/rules.ts';
import { LoginError, NotFoundError, RuleValidationError } from '../errors.ts';
import { flash, saveSession } from '../http/session.ts';
import type { RuleAdmin } from '../rules/admin-api.ts';
import type { ExportedRule, StoredRule } from '../rules/rule-json.ts';
import { actorOf, adminBase, requireRecentAuth } from './access.ts';
import { mergeErrors, parseRuleForm, ruleFormView } from './rule-form.ts';

const idParam = z.coerce.number().int().positive();
const moveBody = z.object({ to: z.enum(['up', 'down', 'top']) });

/** A short description of whom a rule targets, for the list. */
function targets(rule: ExportedRule): string {
  const parts: string[] = [];
  if (rule.emailRegex) parts.push(`email ~ /${rule.emailRegex}/`);
  const lookup = (rule.lookupAttributes ?? {}) as Record<string, unknown>;
  const { hasMfa, hasSso, ...where } = typeof lookup === 'object' ? lookup : {};
  if (hasMfa === true) parts.push('has MFA');
  if (hasSso === true) parts.push('has SSO');
  if (Object.keys(where).length) parts.push(`where ${JSON.stringify(where)}`);
  if (rule.jitCreation && rule.jitCreation !== 'off') parts.push(`JIT: ${rule.jitCreation}`);
  return parts.join('; ') || '—';
}

export function ruleRoutes(ctx: Context, rules: RuleAdmin, catalog: RuleCatalog): Router {
  const recent = requireRecentAuth(ctx);

  const id = (req: Request): number => {
    const parsed = idParam.safeParse(req.params.id);
    if (!parsed.success) throw new LoginError('not_found', 404);
    return parsed.data;
  };

  /** The stored rule, or the not-found page. */
  async function stored(req: Request): Promise<StoredRule> {
    try {
      return await rules.show(id(req));
    } catch (err) {
      if (err instanceof NotFoundError) throw new LoginError('not_found', 404, { cause: err });
      throw err;
    }
  }

  const list: RequestHandler = async (req, res) => {
    const [all, usage] = await Promise.all([rules.stored(), rules.usage()]);
    const rows = all.map((s, i) => ({
      id: s.id,
      name: s.rule.name,
      method: s.rule.method,
      priority: s.rule.priority,
      enabled: s.rule.enabled,
      targets: targets(s.rule),
      users: s.issues ? '—' : String(usage.counts.get(s.id) ?? 0),
      issues: s.issues ?? [],
      first: i === 0,
      last: i === all.length - 1,
    }));
    ctx.renderer.render(req, res, 'admin_rules', { rules: rows, total: usage.total, unmatched: usage.counts.get(null) ?? 0, base: adminBase(req) });
  };

  function renderForm(
    req: Request,
    res: Response,
    options: { rule?: StoredRule; values: Parameters<typeof ruleFormView>[1]; errors?: RuleIssue[]; warnings?: RuleIssue[]; preview?: unknown; status?: number },
  ): void {
    const view = ruleFormView(catalog, options.values, options.errors, options.warnings);
    ctx.renderer.render(
      req,
      res,
      'admin_rule_form',
      {
        base: adminBase(req),
        rule: options.rule ? { id: options.rule.id, name: options.rule.rule.name, issues: options.rule.issues ?? [] } : null,
        action: options.rule ? `${adminBase(req)}/rules/${options.rule.id}/` : `${adminBase(req)}/rules/new/`,
        view,
        preview: options.preview ?? null,
      },
      { status: options.status ?? 200 },
    );
  }

  const showNew: RequestHandler = async (req, res) => {
    const all = await rules.stored();
    const below = all.filter((s) => s.rule.priority < 1000).map((s) => s.rule.priority);
    const priority = below.length ? Math.max(...below) + 10 : 100;
    renderForm(req, res, { values: { rule: { enabled: true, jitCreation: 'off', method: 'password', priority: priority < 1000 ? priority : '' } } });
  };

  const showEdit: RequestHandler = async (req, res) => {
    const rule = await stored(req);
    renderForm(req, res, { rule, values: { rule: rule.rule }, errors: rule.issues ?? [] });
  };

  /** Preview or save, for a new rule (no `rule`) or an edit. */
  async function submit(req: Request, res: Response, rule?: StoredRule): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseRuleForm(catalog, body);
    const target = rule ? { id: rule.id } : {};
    const again = (errors: RuleIssue[], warnings: RuleIssue[], extra: { preview?: unknown; status?: number } = {}) =>
      renderForm(req, res, { rule, values: { typed: form.typed }, errors, warnings, status: errors.length ? 400 : 200, ...extra });
    const checked = await rules.check(form.input, target);
    const errors = mergeErrors(form.errors, checked.errors);
    if (errors.length) return again(errors, checked.warnings);
    if (body.action === 'preview') {
      const preview = await rules.preview(form.input, target);
      return again([], checked.warnings, { preview: preview.ok ? preview : null });
    }
    try {
      const saved = rule ? await rules.update(rule.id, form.input, { actor: actorOf(req) }) : await rules.create(form.input as LoginRuleInput, { actor: actorOf(req) });
      flash(req, 'success', `The rule "${saved.name}" was saved.`);
      for (const w of checked.warnings) flash(req, 'info', `Warning about ${w.path}: ${w.message}`);
      await saveSession(req);
      res.redirect(303, `${adminBase(req)}/`);
    } catch (err) {
      if (!(err instanceof RuleValidationError)) throw err;
      again([...err.issues], checked.warnings);
    }
  }

  const submitNew: RequestHandler = (req, res) => submit(req, res);
  const submitEdit: RequestHandler = async (req, res) => submit(req, res, await stored(req));

  const showDelete: RequestHandler = async (req, res) => {
    const rule = await stored(req);
    const usage = rule.issues ? null : (await rules.usage()).counts.get(rule.id) ?? 0;
    ctx.renderer.render(req, res, 'admin_rule_delete', { base: adminBase(req), rule: { id: rule.id, name: rule.rule.name, method: rule.rule.method }, users: usage });
  };

  const submitDelete: RequestHandler = async (req, res) => {
    const rule = await stored(req);
    await rules.delete(rule.id, { actor: actorOf(req) });
    flash(req, 'success', `The rule "${rule.rule.name}" was deleted. Users' MFA factors and SSO identities were kept.`);
    await saveSession(req);
    res.redirect(303, `${adminBase(req)}/`);
  };

  const submitMove: RequestHandler = async (req, res) => {
    const rule = await stored(req);
    const body = moveBody.safeParse(req.body ?? {});
    if (!body.success) throw new LoginError('server', 400);
    await rules.move(rule.id, { to: body.data.to }, { actor: actorOf(req) });
    res.redirect(303, `${adminBase(req)}/#rule-${rule.id}`);
  };

  const explain: RequestHandler = async (req, res) => {
    const username = z.string().max(320).catch('').parse(req.query.username ?? '').trim();
    const explanation = username ? await ctx.rules.explain(username) : null;
    ctx.renderer.render(req, res, 'admin_explain', { base: adminBase(req), username, explanation });
  };

  const exportJson: RequestHandler = async (_req, res) => {
    res.set('Content-Disposition', 'attachment; filename="login-rules.json"');
    res.type('json').send(`${JSON.stringify(await rules.export(), null, 2)}\n`);
  };

  return Router()
    .get('/admin', list)
    .get('/admin/rules/new', showNew)
    .post('/admin/rules/new', submitNew)
    .get('/admin/rules/:id', showEdit)
    .post('/admin/rules/:id', submitEdit)
    .get('/admin/rules/:id/delete', showDelete)
    .post('/admin/rules/:id/delete', recent, submitDelete)
    .post('/admin/rules/:id/move', submitMove)
    .get('/admin/explain', explain)
    .get('/admin/rules.json', exportJson);
}
