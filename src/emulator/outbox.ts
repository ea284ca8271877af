// Every SMS and email the emulator "sent", so tests (and people, on the HTML page) can read codes and
// follow links without a real SMS or mail provider.
import { Router, type Request, type Response } from 'express';
import { type EmulatorClock, isoAt } from './clock.ts';
import { z } from 'zod';
import { parseInput, sendJson } from './http.ts';
import { prefixedId } from './ids.ts';
import { outboxPage } from './pages.ts';

export interface OutboxMessage {
  readonly id: string;
  readonly kind: 'sms' | 'email';
  /** A phone number (SMS) or an email address. */
  readonly to: string;
  readonly body: string;
  /** The magic link, for emails that carry one. */
  readonly link?: string;
  /** The one-time code, for SMS challenges. */
  readonly code?: string;
  /** ISO 8601, on the emulator's clock. */
  readonly sentAt: string;
}

export interface OutboxFilter {
  to?: string | undefined;
}

export class Outbox {
  readonly #messages: OutboxMessage[] = [];

  constructor(private readonly clock: EmulatorClock) {}

  /** Records a message; used by the SMS and email senders. */
  record(message: Omit<OutboxMessage, 'id' | 'sentAt'>): OutboxMessage {
    const stored = Object.freeze({ id: prefixedId('msg', this.clock.now()), ...message, sentAt: isoAt(this.clock.now()) });
    this.#messages.push(stored);
    return stored;
  }

  /** Messages in the order sent, optionally only those to one recipient (case-insensitive). */
  messages(filter: OutboxFilter = {}): OutboxMessage[] {
    const to = filter.to?.toLowerCase();
    return this.#messages.filter((m) => to === undefined || m.to.toLowerCase() === to);
  }

  /** The newest message to `to`, if any. */
  latest(to: string): OutboxMessage | undefined {
    return this.messages({ to }).at(-1);
  }

  clear(): void {
    this.#messages.length = 0;
  }
}

const filterQuery = z.object({ to: z.string().optional() });

function filterFrom(req: Request): OutboxFilter {
  const { to } = parseInput(filterQuery, req.query);
  return to ? { to } : {};
}

export function outboxRoutes(outbox: Outbox): Router {
  const router = Router();
  const sendHtml = (req: Request, res: Response) => {
    const filter = filterFrom(req);
    res.type('html').send(outboxPage(outbox.messages(filter).reverse(), filter.to));
  };

  router.get('/_emulator/outbox', (req: Request, res: Response) => {
    // Browsers ask for HTML first; fetch() and curl send */* and get JSON.
    if (req.accepts(['json', 'html']) === 'html') return sendHtml(req, res);
    sendJson(res, 200, { data: outbox.messages(filterFrom(req)) });
  });
  router.get('/_emulator/outbox.html', sendHtml);
  router.delete('/_emulator/outbox', (_req: Request, res: Response) => {
    outbox.clear();
    res.status(204).end();
  });

  return router;
}
