// Turns a JIT plan (src/core/jit.ts) into Prisma nested writes on the user, inside the caller's transaction.
// Linked records (`~rel` / `!rel`) are looked up and connected, never modified: they may be shared by many users.
import { delegateName } from '../core/jit-model.ts';
import type { JitPlan } from '../core/jit.ts';
import type { Db, Delegate } from '../db/types.ts';

type AnyDelegate = Delegate<Record<string, unknown>>;

function delegate(tx: Db, model: string): AnyDelegate {
  const d = (tx as unknown as Record<string, AnyDelegate | undefined>)[delegateName(model)];
  if (!d) throw new TypeError(`express-workos-login: the Prisma client has no model ${model}`);
  return d;
}

export type LinkResult = { ok: true; data: Record<string, unknown>; notes: string[] } | { ok: false; detail: string };

/**
 * Nested writes for the plan's many-to-one relations: connect the record the lookup finds; else (`!rel`) refuse,
 * or create one from the lookup plus the plain `rel` data when given, or leave the relation alone.
 */
export async function linkWrites(tx: Db, plan: JitPlan): Promise<LinkResult> {
  const data: Record<string, unknown> = {};
  const notes: string[] = [];
  for (const step of plan.links) {
    if (!step.lookup) {
      if (step.data) data[step.field] = { create: step.data };
      continue;
    }
    const found = await delegate(tx, step.model).findFirst({ where: step.lookup, orderBy: { id: 'asc' } });
    if (found && found.id !== undefined) {
      data[step.field] = { connect: { id: found.id } };
    } else if (step.required) {
      return { ok: false, detail: `!${step.field}: no ${step.model} matches ${JSON.stringify(Object.keys(step.lookup))}` };
    } else if (step.data) {
      data[step.field] = { create: { ...step.data, ...step.lookup } };
    } else {
      notes.push(`~${step.field}: no ${step.model} found; left unset`);
    }
  }
  return { ok: true, data, notes };
}

/** Nested creates for a new user's 1-1 and one-to-many records. */
export function createWrites(plan: JitPlan): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const one of plan.oneToOne) data[one.field] = { create: one.data };
  for (const list of plan.lists) if (list.items.length > 0) data[list.field] = { create: list.items };
  return data;
}

/** Nested writes refreshing an existing user's 1-1 records (upsert) and adding missing one-to-many records. */
export async function updateWrites(tx: Db, userId: number, plan: JitPlan): Promise<Record<string, unknown>> {
  const data: Record<string, unknown> = {};
  for (const one of plan.oneToOne) {
    if (Object.keys(one.data).length > 0) data[one.field] = { upsert: { create: one.data, update: one.data } };
  }
  for (const list of plan.lists) {
    const missing: Record<string, unknown>[] = [];
    for (const item of list.items) {
      // Rows are added, never removed: the host (or a person) may have added rows of its own.
      if ((await tx.user.count({ where: { id: userId, [list.field]: { some: item } } })) === 0) missing.push(item);
    }
    if (missing.length > 0) data[list.field] = { create: missing };
  }
  return data;
}
