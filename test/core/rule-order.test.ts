// planMove: a rule lands exactly where asked, no two rules ever share a priority, and as few rules as possible change.
import { describe, expect, it } from 'vitest';
import { MAX_PRIORITY, planMove, type MoveTarget, type Placed } from '../../src/core/rule-order.ts';
import { sortRules } from '../../src/core/rules.ts';

/** The rules after applying a plan, in order. */
function apply(rows: readonly Placed[], id: number, target: MoveTarget): Placed[] {
  const plan = planMove(rows, id, target);
  if (!plan.ok) throw new Error(plan.message);
  const to = new Map(plan.changes.map((c) => [c.id, c.to]));
  return sortRules(rows.map((r) => ({ id: r.id, priority: to.get(r.id) ?? r.priority })));
}
const ids = (rows: Placed[]) => rows.map((r) => r.id);
const spaced: Placed[] = [
  { id: 1, priority: 10 },
  { id: 2, priority: 20 },
  { id: 3, priority: 30 },
  { id: 4, priority: 1000 },
];

describe('planMove', () => {
  it('takes a free priority between the new neighbours and changes no other rule', () => {
    const plan = planMove(spaced, 3, { before: 1 });
    expect(plan).toEqual({ ok: true, changes: [{ id: 3, from: 30, to: 0 }] });
    expect(ids(apply(spaced, 3, { before: 2 }))).toEqual([1, 3, 2, 4]);
    expect(planMove(spaced, 1, { after: 3 })).toEqual({ ok: true, changes: [{ id: 1, from: 10, to: 515 }] });
  });

  it('up, down, top, bottom', () => {
    expect(ids(apply(spaced, 3, { to: 'up' }))).toEqual([1, 3, 2, 4]);
    expect(ids(apply(spaced, 1, { to: 'down' }))).toEqual([2, 1, 3, 4]);
    expect(ids(apply(spaced, 4, { to: 'top' }))).toEqual([4, 1, 2, 3]);
    expect(ids(apply(spaced, 1, { to: 'bottom' }))).toEqual([2, 3, 4, 1]);
  });

  it('already there: no change (top of the top, down at the bottom, before its own successor, before itself)', () => {
    for (const [id, target] of [[1, { to: 'top' }], [1, { to: 'up' }], [4, { to: 'down' }], [2, { before: 3 }], [2, { after: 1 }], [2, { before: 2 }]] as const) {
      expect(planMove(spaced, id, target), JSON.stringify(target)).toEqual({ ok: true, changes: [] });
    }
  });

  it('adjacent priorities: shifts the following rules up by one, only as far as needed', () => {
    const tight: Placed[] = [
      { id: 1, priority: 1 },
      { id: 2, priority: 2 },
      { id: 3, priority: 3 },
      { id: 4, priority: 10 },
      { id: 5, priority: 11 },
    ];
    const plan = planMove(tight, 5, { before: 2 });
    expect(plan).toEqual({ ok: true, changes: [{ id: 5, from: 11, to: 2 }, { id: 2, from: 2, to: 3 }, { id: 3, from: 3, to: 4 }] });
    expect(ids(apply(tight, 5, { before: 2 }))).toEqual([1, 5, 2, 3, 4]);
  });

  it('unknown rules are named', () => {
    expect(planMove(spaced, 9, { to: 'top' })).toEqual({ ok: false, path: 'id', message: 'no rule has id 9' });
    expect(planMove(spaced, 1, { before: 9 })).toEqual({ ok: false, path: 'before', message: 'no rule has id 9' });
  });

  it('at the end of the range: room is found where there is some, and an error says so where there is none', () => {
    const high: Placed[] = [{ id: 1, priority: 0 }, { id: 2, priority: MAX_PRIORITY - 2 }, { id: 3, priority: MAX_PRIORITY }];
    expect(planMove(high, 1, { to: 'bottom' })).toEqual({ ok: false, path: 'id', message: `no free priority is left after the last rule (${MAX_PRIORITY})` });
    expect(ids(apply(high, 1, { after: 2 }))).toEqual([2, 1, 3]);
    expect(planMove(high, 1, { after: 2 })).toEqual({ ok: true, changes: [{ id: 1, from: 0, to: MAX_PRIORITY - 1 }] });
  });

  it('any move of random lists: the rule lands where asked and priorities stay unique', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let round = 0; round < 300; round++) {
      const n = 2 + rand(8);
      const used = new Set<number>();
      const rows: Placed[] = [];
      for (let id = 1; id <= n; id++) {
        let p: number;
        do p = rand(3) === 0 ? rand(12) : rand(2000) - 1000;
        while (used.has(p));
        used.add(p);
        rows.push({ id, priority: p });
      }
      const order = ids(sortRules(rows));
      const id = 1 + rand(n);
      const other = 1 + rand(n);
      const before = rand(2) === 0;
      const after = apply(rows, id, before ? { before: other } : { after: other });
      expect(new Set(after.map((r) => r.priority)).size).toBe(n);
      const expected = order.filter((x) => x !== id);
      if (other !== id) expected.splice(expected.indexOf(other) + (before ? 0 : 1), 0, id);
      else expected.splice(order.indexOf(id), 0, id);
      expect(ids(after)).toEqual(expected);
    }
  });
});
