// The host's models as the generated Prisma client describes them (`_runtimeDataModel`), for checking and
// writing saved attributes. Null when the client does not expose it (then only the shape is checked on save).
import type { DataModel } from '../core/jit-model.ts';
import type { PrismaLike } from './types.ts';

export function dataModelOf(prisma: PrismaLike): DataModel | null {
  const dm = (prisma as unknown as { _runtimeDataModel?: { models?: unknown } })._runtimeDataModel;
  const models = dm?.models;
  if (!models || typeof models !== 'object' || !('User' in models)) return null;
  return { models: models as DataModel['models'] };
}
