// `login.rules.move(id, target)` against a real database: the order changes as asked, priorities stay unique (the
// unique index would refuse anything else mid-way), logins follow the new order, and each changed rule is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/index.ts';
import { createTestApp, createUser, type TestApp } from '../support/app.ts';

let t: TestApp;
const id: Record<string, number> = {};
beforeAll(async () => {
  t = await createTestApp();
  // Tight priorities (1, 2, 3): moving into them must shift the others, never collide.
  for (const [name, priority, emailRegex] of [['A', 1, '@a\\.test$'], ['B', 2, '@b\\.test$'], ['C', 3, '@c\\.test$'], ['Catch-all magic', 50, '.*']] as const) {
    id[name] = (await t.login.rules.create({ name, method: name === 'Catch-all magic' ? 'magic' : 'password', priority, emailRegex })).id;
  }
  await createUser(t.prisma, { username: 'cora', email: 'cora@c.test' });
});
afterAll(() => t.close());

const order = async () => (await t.prisma.loginRule.findMany({ orderBy: [{ priority: 'asc' }, { id: 'asc' }] })).map((r) => `${r.name}:${r.priority}`);

describe('move', () => {
  it('into adjacent priorities: the rules after it shift up by one, no collision, all in one go', async () => {
    const from = t.events.of('adminChange').length;
    const moved = await t.login.rules.move(id['Catch-all magic']!, { before: id.B! }, { actor: { type: 'cli', name: 'ops' } });
    expect(moved).toEqual([
      { id: id['Catch-all magic'], name: 'Catch-all magic', from: 50, to: 2 },
      { id: id.B, name: 'B', from: 2, to: 3 },
      { id: id.C, name: 'C', from: 3, to: 4 },
    ]);
    expect(await order()).toEqual(['A:1', 'Catch-all magic:2', 'B:3', 'C:4', 'Username/password login:1000']);
    const events = t.events.of('adminChange').slice(from);
    expect(events.map((e) => [e.action, e.target.name, e.before, e.after, e.via])).toEqual([
      ['rule.move', 'Catch-all magic', { priority: 50 }, { priority: 2 }, undefined],
      ['rule.move', 'B', { priority: 2 }, { priority: 3 }, 'move'],
      ['rule.move', 'C', { priority: 3 }, { priority: 4 }, 'move'],
    ]);
  });

  it('logins follow the new order at once (the cache notices)', async () => {
    expect((await t.login.explain('cora')).rule?.name).toBe('Catch-all magic');
    await t.login.rules.move(id['Catch-all magic']!, { to: 'bottom' });
    expect((await t.login.explain('cora')).rule?.name).toBe('C');
    expect(await order()).toEqual(['A:1', 'B:3', 'C:4', 'Username/password login:1000', 'Catch-all magic:1010']);
  });

  it('up, down and to the top', async () => {
    await t.login.rules.move(id.C!, { to: 'up' });
    expect((await order()).slice(0, 3)).toEqual(['A:1', 'C:2', 'B:3']);
    await t.login.rules.move(id.A!, { to: 'down' });
    expect((await order()).slice(0, 3)).toEqual(['C:2', 'A:3', 'B:4']);
    await t.login.rules.move(id.B!, { to: 'top' });
    expect((await order()).slice(0, 3)).toEqual(['B:-8', 'C:2', 'A:3']);
  });

  it('a move to where the rule is already changes nothing and emits nothing', async () => {
    const from = t.events.of('adminChange').length;
    expect(await t.login.rules.move(id.B!, { to: 'top' })).toEqual([]);
    expect(t.events.of('adminChange').length).toBe(from);
  });

  it('unknown rules: NotFoundError, nothing moved', async () => {
    const before = await order();
    await expect(t.login.rules.move(99_999, { to: 'top' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.login.rules.move(id.A!, { after: 99_999 })).rejects.toThrow('no rule has id 99999');
    expect(await order()).toEqual(before);
  });
});
