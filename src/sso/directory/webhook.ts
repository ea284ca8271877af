// `POST <mount>/webhooks/workos/`: WorkOS's signed webhook deliveries (on with `sso.webhookSecret`). The signature is
// checked by the SDK (`webhooks.constructEvent`, within `sso.webhookToleranceSeconds`); a bad or old signature, a
// replay of a delivery already received, or a payload that is not an event is refused with 400 and changes nothing.
// A redelivered event (same id, new signature) is answered 200 and not run again. Answers are JSON, for WorkOS.
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Context } from '../../context.ts';
import { isDatabaseError } from '../../db/errors.ts';
import type { WebhookEventStore } from '../../db/ports.ts';
import { LoginError } from '../../errors.ts';
import { parseEvent } from './event.ts';
import type { DirectorySyncHandler } from './sync.ts';

export const SIGNATURE_HEADER = 'WorkOS-Signature';
/** Received events are kept this long (far longer than any signature is accepted). */
const KEEP_EVENTS_MS = 30 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

function answer(res: Response, status: number, body: Record<string, unknown>): void {
  res.status(status).type('application/json').send(JSON.stringify(body));
}

export function directoryWebhookRoutes(ctx: Context, store: WebhookEventStore, handler: DirectorySyncHandler, secret: string): Router {
  const router = Router();
  const tolerance = ctx.config.sso.webhookToleranceSeconds * 1000;
  let prunedAt = 0;
  const refuse = (res: Response, error: string, why: string) => {
    ctx.config.logger.warn(`express-workos-login: WorkOS webhook refused: ${why}`);
    answer(res, 400, { error });
  };

  async function receive(req: Request, res: Response): Promise<void> {
    const header = req.get(SIGNATURE_HEADER);
    const payload: unknown = req.body;
    if (!header || header.length > 1000) return refuse(res, 'signature_invalid', `no ${SIGNATURE_HEADER} header`);
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return refuse(res, 'payload_invalid', 'the body is not a JSON object');
    try {
      // The SDK recomputes the HMAC over the JSON it is given and checks the timestamp against its tolerance.
      await ctx.workos.sdk.webhooks.constructEvent({ payload: payload as Record<string, unknown>, sigHeader: header, secret, tolerance });
    } catch (err) {
      if (err instanceof LoginError) throw err;
      return refuse(res, 'signature_invalid', err instanceof Error ? err.message : String(err));
    }
    const event = parseEvent(payload);
    if (!event) return refuse(res, 'payload_invalid', 'a signed payload that is not a readable event');

    const claim = await store.claim(event.id, header);
    if (claim.kind === 'seen') {
      // The very same delivery again is a replay; a new delivery of a known event is WorkOS retrying.
      if (claim.signature === header) return refuse(res, 'replayed', `event ${event.id} was already received with this signature`);
      return answer(res, 200, { ok: true, outcome: 'duplicate' });
    }
    let outcome: string;
    try {
      outcome = await handler.handle(event);
    } catch (err) {
      // Not done: WorkOS's retry must run it again.
      await store.release(event.id).catch(() => undefined);
      throw err;
    }
    answer(res, 200, { ok: true, outcome });
    const now = ctx.now();
    if (now - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = now;
      await store.prune(new Date(now - KEEP_EVENTS_MS)).catch((err: unknown) => ctx.config.logger.warn('express-workos-login: pruning received webhook events failed', { error: String(err) }));
    }
  }

  router.post('/webhooks/workos', express.json({ limit: '256kb', type: () => true }), (req, res) => {
    receive(req, res).catch((err: unknown) => {
      ctx.config.logger.error('express-workos-login: WorkOS webhook failed', { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      // 5xx: WorkOS retries later.
      if (!res.headersSent) answer(res, err instanceof LoginError || isDatabaseError(err) ? 503 : 500, { error: 'server' });
    });
  });
  const badBody: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    if (res.headersSent) return next(err);
    refuse(res, 'payload_invalid', `the body is not JSON (${err instanceof Error ? err.message : String(err)})`);
  };
  router.use('/webhooks/workos', badBody);
  return router;
}
