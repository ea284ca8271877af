// Applies a just-in-time plan (src/core/jit.ts, pure) as Prisma nested writes, in ONE transaction: the user,
// everything the saved attributes describe, the rule's JIT groups and the SSO identity. Linked records (`~rel` /
// `!rel`) are looked up and connected, never modified: they may be shared by many users.
import { delegateName } from '../core/jit-model.ts';
import type { JitPlan } from '../core/jit.ts';
import { isUniqueViolation } from './errors.ts';
import { findIdentity } from './identities.ts';
import type { JitCreateResult, JitWriter } from './ports.ts';
import type { Db, Delegate, IdentityData } from './types.ts';
import type { UserId } from '../user-types.ts';

type AnyDelegate = Delegate<Record<string, unknown>>;
type Refusal = Extract<JitCreateResult, { kind: 'refused' }>;

class Refused extends Error {
  constructor(readonly result: Refusal) {
    super(result.detail);
  }
}

function delegate(tx: Db, model: string): AnyDelegate {
  const d = (tx as unknown as Record<string, AnyDelegate | undefined>)[delegateName(model)];
  if (!d) throw new TypeError(`express-workos-login: the Prisma client has no model ${model}`);
  return d;
}

type LinkResult = { ok: true; data: Record<string, unknown>; notes: string[] } | { ok: false; detail: string };

/**
 * Nested writes for the plan's many-to-one relations: connect the record the lookup finds; else (`!rel`) refuse,
 * or create one from the lookup plus the plain `rel` data when given, or leave the relation alone.
 */
async function linkWrites(tx: Db, plan: JitPlan): Promise<LinkResult> {
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
function createWrites(plan: JitPlan): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const one of plan.oneToOne) data[one.field] = { create: one.data };
  for (const list of plan.lists) if (list.items.length > 0) data[list.field] = { create: list.items };
  return data;
}

/** Nested writes refreshing an existing user's 1-1 records (upsert) and adding missing one-to-many records. */
async function updateWrites(tx: Db, userId: UserId, plan: JitPlan): Promise<Record<string, unknown>> {
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

export class JitRepository implements JitWriter {
  constructor(private readonly db: Db) {}

  async create(input: { plan: JitPlan; username: string; groups: readonly string[]; identity: IdentityData }): Promise<JitCreateResult> {
    const { plan, username, groups, identity } = input;
    const existingIdentity = (db: Db) => (identity.idpId ? findIdentity(db, identity.scope, identity.idpId) : Promise.resolve(null));

    const attempt = () =>
      this.db.$transaction(async (tx): Promise<JitCreateResult> => {
        // Serialised databases (SQLite) run the second login after the first committed: it finds the identity here.
        const existing = await existingIdentity(tx);
        if (existing) return { kind: 'existing', userId: existing.userId };
        if (await tx.user.findUnique({ where: { username } })) {
          throw new Refused({ kind: 'refused', reason: 'username_taken', detail: `username "${username}" is taken` });
        }
        const links = await linkWrites(tx, plan);
        if (!links.ok) throw new Refused({ kind: 'refused', reason: 'link_missing', detail: links.detail });
        const user = await tx.user.create({
          data: {
            ...plan.user,
            ...links.data,
            ...createWrites(plan),
            groups: { connect: groups.map((name) => ({ name })) },
            ssoIdentities: { create: { ...identity } },
          },
        });
        return { kind: 'created', user };
      });

    // A unique violation is a race: the same person (their identity), or a shared record created by someone else
    // at the same moment (a `~rel` location). Look again, then try once more.
    for (let round = 0; ; round++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof Refused) && !isUniqueViolation(err)) throw err;
        // The username may be "taken" by this very person, created by a parallel login that just committed.
        const existing = err instanceof Refused && err.result.reason !== 'username_taken' ? null : await existingIdentity(this.db);
        if (existing) return { kind: 'existing', userId: existing.userId };
        if (err instanceof Refused) return err.result;
        if (round >= 1) return { kind: 'refused', reason: 'username_taken', detail: 'a unique field of the new user is taken' };
      }
    }
  }

  update(userId: UserId, plan: JitPlan): Promise<{ notes: string[] }> {
    return this.db.$transaction(async (tx) => {
      const links = await linkWrites(tx, plan);
      const linked = links.ok ? links.data : {};
      const notes = links.ok ? links.notes : [`${links.detail}; link left as it was`];
      await tx.user.update({ where: { id: userId }, data: { ...plan.user, ...linked, ...(await updateWrites(tx, userId, plan)) } });
      return { notes };
    });
  }
}
