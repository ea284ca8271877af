// WorkOS webhook events received, one row per event id (the primary key makes the first delivery win across app
// instances). The signature of that first delivery tells a replay (the very same request) from a redelivery.
import { isUniqueViolation } from './errors.ts';
import type { WebhookEventStore } from './ports.ts';
import { asDb, hasModel, type Delegate, type PrismaLike, type WebhookEventRow } from './types.ts';

export class WebhookEventRepository implements WebhookEventStore {
  constructor(private readonly events: Delegate<WebhookEventRow>) {}

  async claim(eventId: string, signature: string): Promise<{ kind: 'new' } | { kind: 'seen'; signature: string }> {
    try {
      await this.events.create({ data: { id: eventId, signature } });
      return { kind: 'new' };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const first = await this.events.findUnique({ where: { id: eventId } });
      return { kind: 'seen', signature: first?.signature ?? '' };
    }
  }

  async release(eventId: string): Promise<void> {
    await this.events.deleteMany({ where: { id: eventId } });
  }

  async prune(before: Date): Promise<number> {
    return (await this.events.deleteMany({ where: { receivedAt: { lt: before } } })).count;
  }
}

/** The store, or null when the host's schema lacks the WorkosWebhookEvent model. */
export function webhookEventStore(prisma: PrismaLike): WebhookEventRepository | null {
  const db = asDb(prisma);
  return hasModel(prisma, 'workosWebhookEvent') && db.workosWebhookEvent ? new WebhookEventRepository(db.workosWebhookEvent) : null;
}
