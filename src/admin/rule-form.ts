// The rule form, built from the catalog's field declarations: a posted form becomes rule input (text → values,
// with conversion errors kept per field), and a rule plus its errors and warnings becomes the template's sections.
import { fieldFromText, fieldToText, ruleFormGroups, type RuleFormField } from '../core/rule-form.ts';
import type { RuleCatalog, RuleFieldName, RuleIssue } from '../core/rules.ts';

export interface ParsedForm {
  input: Record<string, unknown>;
  /** What the person typed, per field, to show again. */
  typed: Record<string, string>;
  /** Text that is not a value of the field's kind (a word in the priority box, broken JSON). */
  errors: RuleIssue[];
}

const STAND_INS: Record<RuleFormField['kind'], unknown> = { text: '', choice: '', integer: 0, boolean: false, list: [], json: {}, tristate: null };

/** A posted rule form as rule input. Unchecked boxes are false; everything else comes as text. */
export function parseRuleForm(catalog: RuleCatalog, body: Record<string, unknown>): ParsedForm {
  const input: Record<string, unknown> = {};
  const typed: Record<string, string> = {};
  const errors: RuleIssue[] = [];
  for (const group of ruleFormGroups(catalog)) {
    for (const field of group.fields) {
      const raw = body[field.name];
      const text = typeof raw === 'string' ? raw : '';
      typed[field.name] = text;
      const parsed = fieldFromText(field.kind, field.kind === 'boolean' ? (text ? 'true' : 'false') : text);
      if (parsed.ok) input[field.name] = parsed.value;
      else {
        errors.push({ path: field.name, message: parsed.message });
        // A stand-in lets the rule's other checks run, so one round shows every problem; its own errors are dropped.
        input[field.name] = STAND_INS[field.kind];
      }
    }
  }
  return { input, typed, errors };
}

/** Errors of the form joined with the rule's: a field whose text could not be read keeps only that message. */
export function mergeErrors(formErrors: readonly RuleIssue[], ruleErrors: readonly RuleIssue[]): RuleIssue[] {
  const unread = new Set(formErrors.map((e) => e.path));
  return [...formErrors, ...ruleErrors.filter((e) => !unread.has(fieldOf(e.path)))];
}

/** The field a path belongs to (`savedAttributes.user.firstName` → `savedAttributes`). */
export function fieldOf(path: string): string {
  return path.split('.')[0]!;
}

export interface FormFieldView extends RuleFormField {
  id: string;
  /** The ids of its error, warning and help texts, for `aria-describedby`. */
  describedBy: string;
  value: string;
  checked: boolean;
  errors: string[];
  warnings: string[];
}

export interface FormView {
  groups: { id: string; title: string; onlyFor: string | null; fields: FormFieldView[] }[];
  /** Every error, each linking to its field (`#id_<field>`), or to the form for rule-wide ones. */
  summary: { href: string; label: string; message: string }[];
  warnings: { href: string; label: string; message: string }[];
}

/** A message for a nested path names the key it is about (`"user.firstName": unknown field`). */
const messageFor = (issue: RuleIssue): string => {
  const key = issue.path.split('.').slice(1).join('.');
  return key ? `"${key}": ${issue.message}` : issue.message;
};

/**
 * The sections of the form with each field's value (what was typed, or the rule's value) and its messages.
 * `values` are rule values (for a rule loaded from the database) or typed text (a posted form).
 */
export function ruleFormView(
  catalog: RuleCatalog,
  values: { typed?: Record<string, string>; rule?: Record<string, unknown> },
  errors: readonly RuleIssue[] = [],
  warnings: readonly RuleIssue[] = [],
): FormView {
  const labels = new Map<string, string>();
  const groups = ruleFormGroups(catalog).map((group) => {
    const owners = new Set(group.fields.flatMap((f) => f.methods ?? ['*']));
    return {
      id: group.id,
      title: group.title,
      onlyFor: owners.has('*') ? null : [...owners].join(', '),
      fields: group.fields.map((field): FormFieldView => {
        labels.set(field.name, field.label);
        const value = values.typed ? (values.typed[field.name] ?? '') : fieldToText(field.kind, values.rule?.[field.name]);
        const mine = (list: readonly RuleIssue[]) => list.filter((i) => fieldOf(i.path) === field.name).map(messageFor);
        const id = `id_${field.name}`;
        const fieldErrors = mine(errors);
        const fieldWarnings = mine(warnings);
        const describedBy = [
          ...fieldErrors.map((_, i) => `${id}_error${i + 1}`),
          ...fieldWarnings.map((_, i) => `${id}_warning${i + 1}`),
          ...(field.help ? [`${id}_hint`] : []),
        ].join(' ');
        return {
          ...field,
          id,
          describedBy,
          value,
          checked: field.kind === 'boolean' && (values.typed ? value !== '' : values.rule?.[field.name] === true),
          errors: fieldErrors,
          warnings: fieldWarnings,
        };
      }),
    };
  });
  const link = (issue: RuleIssue) => {
    const field = fieldOf(issue.path) as RuleFieldName;
    const label = labels.get(field);
    return label ? { href: `#id_${field}`, label, message: messageFor(issue) } : { href: '#rule-form', label: 'Rule', message: issue.message };
  };
  return { groups, summary: errors.map(link), warnings: warnings.map(link) };
}
