// The default rule, for hosts that create their tables with their own migrations: idempotent.
import { seedRule } from '../db/index.ts';
import type { PrismaLike } from '../db/types.ts';

export const DEFAULT_RULE = Object.freeze({
  name: 'Username/password login',
  method: 'password',
  priority: 1000,
  emailRegex: '.*',
});

/** Creates "Username/password login" (priority 1000, everyone) unless a rule of that name exists. */
export async function seedDefaultRule(client: PrismaLike): Promise<void> {
  await seedRule(client, DEFAULT_RULE);
}
