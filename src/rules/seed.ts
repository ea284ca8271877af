// The default rule, for hosts that create their tables with their own migrations: idempotent.
import { asDb, type PrismaLike } from '../db/types.ts';

export const DEFAULT_RULE = Object.freeze({
  name: 'Username/password login',
  method: 'password',
  priority: 1000,
  emailRegex: '.*',
});

/** Creates "Username/password login" (priority 1000, everyone) unless a rule of that name exists. */
export async function seedDefaultRule(prisma: PrismaLike): Promise<void> {
  const db = asDb(prisma);
  await db.loginRule.upsert({ where: { name: DEFAULT_RULE.name }, create: { ...DEFAULT_RULE }, update: {} });
}
