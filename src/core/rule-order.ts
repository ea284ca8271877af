// Moving a rule in the priority order without two rules ever sharing a priority: the moved rule takes a free
// priority between its new neighbours when there is one; otherwise the rules after it shift up by one, only as far
// as needed. Pure: the data layer applies the plan in one transaction.
import { sortRules } from './rules.ts';

export const MIN_PRIORITY = -2_147_483_648;
export const MAX_PRIORITY = 2_147_483_647;
/** The spacing given to a rule moved to either end of the list. */
const STEP = 10;

/** Where a rule goes: before or after another rule, one place up or down, or to the top or bottom. */
export type MoveTarget = { before: number } | { after: number } | { to: 'top' | 'bottom' | 'up' | 'down' };

export interface Placed {
  readonly id: number;
  readonly priority: number;
}

export interface PriorityChange {
  id: number;
  from: number;
  to: number;
}

export type MovePlan = { ok: true; changes: PriorityChange[] } | { ok: false; path: 'id' | 'before' | 'after'; message: string };

/** The priority changes that put rule `id` at `target` (none when it is there already). */
export function planMove(rows: readonly Placed[], id: number, target: MoveTarget): MovePlan {
  const order = sortRules(rows);
  const at = order.findIndex((r) => r.id === id);
  if (at < 0) return { ok: false, path: 'id', message: `no rule has id ${id}` };
  const moving = order[at]!;
  const rest = order.filter((r) => r.id !== id);
  let index: number;
  if ('before' in target || 'after' in target) {
    const [path, otherId] = 'before' in target ? (['before', target.before] as const) : (['after', target.after] as const);
    if (otherId === id) return { ok: true, changes: [] };
    const other = rest.findIndex((r) => r.id === otherId);
    if (other < 0) return { ok: false, path, message: `no rule has id ${otherId}` };
    index = path === 'before' ? other : other + 1;
  } else {
    index = { top: 0, bottom: rest.length, up: Math.max(0, at - 1), down: Math.min(rest.length, at + 1) }[target.to];
  }
  if (index === at) return { ok: true, changes: [] };
  const prev = rest[index - 1];
  const next = rest[index];
  const priority = freePriority(prev?.priority, next?.priority);
  if (priority !== null) return { ok: true, changes: [{ id, from: moving.priority, to: priority }] };
  if (!prev) return { ok: false, path: 'id', message: `no free priority is left before the first rule (${MIN_PRIORITY})` };
  if (prev.priority + 1 > MAX_PRIORITY) return { ok: false, path: 'id', message: `no free priority is left after the last rule (${MAX_PRIORITY})` };
  // No room: take the priority just after the previous rule and push the following ones up until there is a gap.
  const changes: PriorityChange[] = [{ id, from: moving.priority, to: prev.priority + 1 }];
  let last = prev.priority + 1;
  for (const rule of rest.slice(index)) {
    if (rule.priority > last) break;
    last += 1;
    if (last > MAX_PRIORITY) return { ok: false, path: 'id', message: 'no free priority is left after this place; renumber the rules' };
    changes.push({ id: rule.id, from: rule.priority, to: last });
  }
  return { ok: true, changes };
}

/** A priority strictly between two neighbours (either may be missing), or null when they are adjacent. */
function freePriority(prev: number | undefined, next: number | undefined): number | null {
  if (prev === undefined && next === undefined) return STEP;
  if (prev === undefined) return next! - STEP >= MIN_PRIORITY ? next! - STEP : next! - 1 >= MIN_PRIORITY ? next! - 1 : null;
  if (next === undefined) return prev + STEP <= MAX_PRIORITY ? prev + STEP : prev + 1 <= MAX_PRIORITY ? prev + 1 : null;
  return next - prev >= 2 ? prev + Math.floor((next - prev) / 2) : null;
}
