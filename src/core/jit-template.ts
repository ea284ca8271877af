// Saved-attribute templates: Nunjucks in a locked-down form. A template is checked by walking its parsed AST
// (text, `{{ profile.… }}` lookups with literal keys, a few filters, literals; nothing else), and rendered with
// autoescape OFF and `profile` as the only context. Profile values are data: they are never compiled.
// Pure: no Express, no Prisma.
import nunjucks from 'nunjucks';

/** Filters a template may use. Everything else (including `safe`, `dump`, `attr`) is refused. */
export const TEMPLATE_FILTERS: ReadonlySet<string> = new Set(['default', 'lower', 'upper', 'trim', 'replace', 'title', 'string', 'int', 'float', 'first', 'last', 'join']);

/** Keys a lookup may never name: they lead out of the data into JavaScript's object machinery. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Longest template accepted (saved attributes are short strings; this bounds parse and render work). */
export const MAX_TEMPLATE_LENGTH = 2000;

export type TemplateCheck = { ok: true } | { ok: false; reason: string };

interface AstNode {
  typename: string;
  value?: unknown;
  children?: AstNode[];
  target?: AstNode;
  val?: AstNode;
  name?: AstNode;
  args?: AstNode;
}

// The parser is public (`nunjucks.parser`) but missing from @types/nunjucks.
const parser = (nunjucks as unknown as { parser: { parse(src: string, extensions: undefined, opts: object): AstNode } }).parser;

const isTemplateSyntax = (text: string): boolean => /\{[{%#]/.test(text);

/** Why a template is refused, or ok. Checked when a rule is saved, so a bad template never reaches a login. */
export function checkTemplate(source: string): TemplateCheck {
  if (source.length > MAX_TEMPLATE_LENGTH) return { ok: false, reason: `is longer than ${MAX_TEMPLATE_LENGTH} characters` };
  if (!isTemplateSyntax(source)) return { ok: true };
  let root: AstNode;
  try {
    root = parser.parse(source, undefined, {});
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n').map((l) => l.trim()).filter(Boolean).pop() : String(err);
    return { ok: false, reason: `is not a valid template (${message ?? 'syntax error'})` };
  }
  try {
    for (const output of root.children ?? []) {
      if (output.typename !== 'Output') refuse(`{% ${tagName(output)} %} is not allowed (only text and {{ profile.… }} outputs)`);
      for (const child of output.children ?? []) {
        if (child.typename === 'TemplateData') continue;
        checkExpression(child);
      }
    }
  } catch (err) {
    if (err instanceof TemplateRefusal) return { ok: false, reason: err.message };
    throw err;
  }
  return { ok: true };
}

class TemplateRefusal extends Error {}

function refuse(reason: string): never {
  throw new TemplateRefusal(reason);
}

function tagName(node: AstNode): string {
  const names: Record<string, string> = { Set: 'set', Include: 'include', Import: 'import', FromImport: 'from … import', Extends: 'extends', Macro: 'macro', If: 'if', For: 'for', Block: 'block', Filter: 'filter', Capture: 'set … endset', CallExtension: 'call' };
  return names[node.typename] ?? node.typename.toLowerCase();
}

/** `{{ … }}` may hold a profile lookup, a literal, or a whitelisted filter applied to those. */
function checkExpression(node: AstNode): void {
  switch (node.typename) {
    case 'Literal':
      return;
    case 'Symbol':
    case 'LookupVal':
      return checkLookup(node);
    case 'Filter': {
      const name = String(node.name?.value ?? '');
      if (!TEMPLATE_FILTERS.has(name)) refuse(`the filter "${name}" is not allowed (allowed: ${[...TEMPLATE_FILTERS].join(', ')})`);
      for (const arg of node.args?.children ?? []) {
        if (arg.typename === 'KeywordArgs') refuse(`keyword arguments to filters are not allowed`);
        checkExpression(arg);
      }
      return;
    }
    case 'FunCall':
      return refuse('function calls are not allowed');
    default:
      return refuse(`${describe(node)} is not allowed in {{ }} (only profile.… lookups, literals and filters)`);
  }
}

function describe(node: AstNode): string {
  const ops: Record<string, string> = { Add: '+', Sub: '-', Mul: '*', Div: '/', FloorDiv: '//', Mod: '%', Pow: '**', Concat: '~', Neg: '-', Pos: '+', Or: 'or', And: 'and', Not: 'not', In: 'in', Is: 'is' };
  const op = ops[node.typename];
  if (op) return `the operator "${op}"`;
  return `"${node.typename}"`;
}

/** `profile`, `profile.a`, `profile.a["b c"]`, `profile.groups[0]`: rooted at `profile`, literal keys only. */
function checkLookup(node: AstNode): void {
  if (node.typename === 'Symbol') {
    if (node.value !== 'profile') refuse(`only "profile" is available in templates (got "${String(node.value)}")`);
    return;
  }
  if (node.typename !== 'LookupVal') refuse(`only profile.… lookups are allowed (got ${describe(node)})`);
  const key = node.val;
  if (!key || key.typename !== 'Literal' || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
    refuse('lookups must use literal keys (profile.name or profile["name"])');
  }
  if (FORBIDDEN_KEYS.has(String(key.value))) refuse(`the key "${String(key.value)}" is not allowed`);
  checkLookup(node.target!);
}

// One environment for every rule: no loaders (nothing to include), no autoescape (values are stored, not shown
// in HTML; pages escape them when they display them), undefined renders as ''.
const environment = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false });
const compiled = new Map<string, nunjucks.Template>();
const MAX_COMPILED = 500;

/**
 * Renders a checked template with `profile` as the only context. Throws when the template fails `checkTemplate`
 * (a rule that bypassed validation is refused, never rendered). Text without template syntax is returned as is.
 */
export function renderTemplate(source: string, profile: Readonly<Record<string, unknown>>): string {
  if (!isTemplateSyntax(source)) return source;
  let template = compiled.get(source);
  if (!template) {
    const check = checkTemplate(source);
    if (!check.ok) throw new TypeError(`saved attribute template refused: ${check.reason}`);
    template = new nunjucks.Template(source, environment, undefined, true);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(source, template);
  }
  return template.render({ profile: toPlainData(profile) });
}

/** Does a string hold template syntax (so auto update re-renders it)? */
export function isTemplate(value: unknown): value is string {
  return typeof value === 'string' && isTemplateSyntax(value);
}

/** A deep copy of JSON-like data with null-prototype objects: no inherited members to look up. */
export function toPlainData(value: unknown, depth = 0): unknown {
  if (depth > 20) return null;
  if (Array.isArray(value)) return value.map((v) => toPlainData(v, depth + 1));
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) if (!FORBIDDEN_KEYS.has(k)) out[k] = toPlainData(v, depth + 1);
    return out;
  }
  if (typeof value === 'function' || typeof value === 'symbol') return null;
  return value;
}
