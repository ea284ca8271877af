// Group membership by group name, for Directory Sync group events: only groups that exist are touched, and only
// the memberships that change are written (a repeated event writes nothing).
import type { GroupStore } from './ports.ts';
import type { Db } from './types.ts';
import type { UserId } from '../user-types.ts';

export class GroupRepository implements GroupStore {
  constructor(private readonly db: Db) {}

  async setMembership(userId: UserId, groups: readonly string[], member: boolean): Promise<string[]> {
    if (groups.length === 0) return [];
    const names = [...new Set(groups)];
    const existing = await this.db.group.findMany({ where: { name: { in: names } }, select: { id: true, name: true } });
    const current = await this.db.group.findMany({ where: { name: { in: names }, users: { some: { id: userId } } }, select: { id: true, name: true } });
    const has = new Set(current.map((g) => g.name));
    const change = existing.filter((g) => (member ? !has.has(g.name) : has.has(g.name)));
    if (change.length === 0) return [];
    const ids = change.map((g) => ({ id: g.id }));
    await this.db.user.update({ where: { id: userId }, data: { groups: member ? { connect: ids } : { disconnect: ids } } });
    return change.map((g) => g.name);
  }
}
