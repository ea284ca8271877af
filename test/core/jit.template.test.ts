// Saved-attribute templates: what the AST check accepts and refuses, and how templates render (autoescape off,
// `profile` the only context, profile values never compiled).
import { describe, expect, it } from 'vitest';
import { checkTemplate, renderTemplate, toPlainData } from '../../src/core/jit-template.ts';

const profile = {
  id: 'prof_1',
  email: 'ada@acme.test',
  first_name: 'ada',
  last_name: "O'Brien & Co",
  groups: ['Eng', 'Ops'],
  raw_attributes: { title: ' Staff Engineer ', 'employee number': '42', evil: '{{ 7*7 }}', raw: '{% raw %}x{% endraw %}', html: '<b>bold</b>' },
};

describe('checkTemplate accepts', () => {
  for (const source of [
    'plain text',
    'braces { alone } are text',
    '{{ profile.email }}',
    '{{profile.raw_attributes.title}}',
    '{{ profile.raw_attributes["employee number"] }}',
    '{{ profile.groups[0] }}',
    '{{ profile.first_name | title }} {{ profile.last_name | upper }}',
    '{{ profile.raw_attributes.title | trim | lower | replace("staff ", "") }}',
    '{{ profile.raw_attributes.missing | default("none") }}',
    '{{ profile.raw_attributes.missing | default(profile.email) }}',
    '{{ profile.groups | join(", ") }}',
    '{{ profile.groups | first }}-{{ profile.groups | last }}',
    '{{ profile.raw_attributes["employee number"] | int }}',
    '{{ "literal" }}{{ 3 }}',
    '{{- profile.email -}}',
    '{# a comment #}{{ profile.email }}',
    '{% raw %}{{ shown as text }}{% endraw %}',
  ]) {
    it(source, () => expect(checkTemplate(source)).toEqual({ ok: true }));
  }
});

describe('checkTemplate refuses', () => {
  const cases: [string, string][] = [
    ['{{ range(10) }}', 'function calls are not allowed'],
    ['{{ profile.email.toUpperCase() }}', 'function calls are not allowed'],
    ['{{ cycler("a") }}', 'function calls are not allowed'],
    ['{{ profile.constructor }}', 'the key "constructor" is not allowed'],
    ['{{ profile["__proto__"] }}', 'the key "__proto__" is not allowed'],
    ['{{ profile.raw_attributes.prototype }}', 'the key "prototype" is not allowed'],
    ['{{ profile.constructor.constructor("return process")() }}', 'function calls are not allowed'],
    ['{{ profile[profile.email] }}', 'lookups must use literal keys'],
    ['{{ other.email }}', 'only "profile" is available'],
    ['{{ 7*7 }}', 'the operator "*"'],
    ['{{ profile.a ~ profile.b }}', 'the operator "~"'],
    ['{{ profile.email | safe }}', 'the filter "safe" is not allowed'],
    ['{{ profile | dump }}', 'the filter "dump" is not allowed'],
    ['{{ profile.groups | join(",", attribute="x") }}', 'keyword arguments'],
    ['{% set x = 1 %}{{ x }}', '{% set %} is not allowed'],
    ['{% include "registration/login.html" %}', '{% include %} is not allowed'],
    ['{% import "x.html" as x %}', '{% import %} is not allowed'],
    ['{% extends "x.html" %}', '{% extends %} is not allowed'],
    ['{% macro m() %}x{% endmacro %}', '{% macro %} is not allowed'],
    ['{% if profile.email %}x{% endif %}', '{% if %} is not allowed'],
    ['{% for g in profile.groups %}{{ g }}{% endfor %}', '{% for %} is not allowed'],
    ['{{ profile.email if profile.email else "x" }}', 'is not allowed in {{ }}'],
    ['{{ profile.email', 'is not a valid template'],
    ['x'.repeat(2001), 'is longer than 2000 characters'],
  ];
  for (const [source, reason] of cases) {
    it(source.slice(0, 60), () => {
      const result = checkTemplate(source);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.reason).toContain(reason);
    });
  }
});

describe('renderTemplate', () => {
  it('does not HTML-escape: values are stored verbatim', () => {
    expect(renderTemplate('{{ profile.last_name }}', profile)).toBe("O'Brien & Co");
    expect(renderTemplate('{{ profile.raw_attributes.html }}', profile)).toBe('<b>bold</b>');
  });

  // Threat: server-side template injection through profile data controlled by an IdP user.
  it('renders profile values as data: template syntax inside a value stays literal', () => {
    expect(renderTemplate('{{ profile.raw_attributes.evil }}', profile)).toBe('{{ 7*7 }}');
    expect(renderTemplate('{{ profile.raw_attributes.raw }}', profile)).toBe('{% raw %}x{% endraw %}');
  });

  it('applies the allowed filters and literals', () => {
    expect(renderTemplate('{{ profile.first_name | title }}', profile)).toBe('Ada');
    expect(renderTemplate('{{ profile.raw_attributes.title | trim | lower }}', profile)).toBe('staff engineer');
    expect(renderTemplate('{{ profile.groups | join("+") }}', profile)).toBe('Eng+Ops');
    expect(renderTemplate('{{ profile.raw_attributes.missing | default("n/a") }}', profile)).toBe('n/a');
    expect(renderTemplate('{{ profile.raw_attributes.missing }}', profile)).toBe('');
    expect(renderTemplate('{{ profile.raw_attributes["employee number"] | int }}', profile)).toBe('42');
    expect(renderTemplate('{{ "a" }}{{ 1 }}', profile)).toBe('a1');
  });

  it('returns text without template syntax unchanged', () => {
    expect(renderTemplate('Acme Inc. {not a tag}', profile)).toBe('Acme Inc. {not a tag}');
  });

  // Threat: a rule written straight to the database (around the validator) smuggles a call into a template.
  it('refuses to render a template that fails the check', () => {
    expect(() => renderTemplate('{{ range(3) }}', profile)).toThrow(/function calls are not allowed/);
  });

  // Threat: prototype members reached through the profile object.
  it('gives templates data without inherited members', () => {
    const plain = toPlainData({ a: { b: 1 }, __proto__: { polluted: true } }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(plain)).toBeNull();
    expect(Object.getPrototypeOf(plain.a)).toBeNull();
    expect(renderTemplate('[{{ profile.toString }}]', profile)).toBe('[]');
  });
});
