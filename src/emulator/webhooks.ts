// Signed webhook deliveries, as WorkOS makes them: a JSON POST with `WorkOS-Signature: t=<ms>, v1=<hex>`, where v1
// is the HMAC-SHA256 of "<t>.<body>" under the endpoint's secret (what the SDK's `webhooks.constructEvent` checks).
// Every delivery is kept, with its exact body and signature, so a test can replay one or read what the app answered.
import { createHmac } from 'node:crypto';
import { isoAt, type EmulatorClock } from './clock.ts';
import type { EmulatorDirectory, WebhookEndpoint } from './directory.ts';
import { prefixedId } from './ids.ts';

export const SIGNATURE_HEADER = 'WorkOS-Signature';
/** How long the emulator waits for an endpoint to answer. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** Deliveries kept for `deliveries()` and the requests page. */
const MAX_DELIVERIES = 200;

export interface WebhookEvent {
  readonly id: string;
  readonly event: string;
  readonly data: unknown;
  readonly created_at: string;
}

export interface WebhookDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly event: string;
  readonly url: string;
  /** The endpoint's HTTP status, or null when it could not be reached. */
  readonly status: number | null;
  /** Why the endpoint could not be reached (network error or timeout). */
  readonly error?: string;
  /** The first 500 characters of the endpoint's answer. */
  readonly response: string;
  /** The exact request: body and `WorkOS-Signature` header (replay it with `webhooks.resend(id)`). */
  readonly body: string;
  readonly signature: string;
  /** ISO 8601, on the emulator's clock. */
  readonly sentAt: string;
  readonly durationMs: number;
}

/** Overrides for one delivery, to test how an app treats bad or old signatures. */
export interface SignatureOptions {
  /** The signing time in epoch ms (default: the emulator's clock). */
  timestamp?: number;
  /** Sign with this secret instead of the endpoint's. */
  secret?: string;
}

/** `t=<ms>, v1=<hex>` for `body` signed at `timestamp` with `secret`. */
export function signatureHeader(body: string, secret: string, timestamp: number): string {
  const t = Math.floor(timestamp);
  return `t=${t}, v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export class Webhooks {
  readonly #deliveries: WebhookDelivery[] = [];

  constructor(
    private readonly clock: EmulatorClock,
    private readonly directory: EmulatorDirectory,
  ) {}

  endpoints(): readonly WebhookEndpoint[] {
    return this.directory.webhookEndpoints();
  }

  /** Every delivery, oldest first. */
  deliveries(): WebhookDelivery[] {
    return [...this.#deliveries];
  }

  clear(): void {
    this.#deliveries.length = 0;
  }

  /** Sends `event` to every endpoint (or only to `url`), one after the other. */
  async deliver(event: WebhookEvent, options: SignatureOptions & { url?: string | undefined } = {}): Promise<WebhookDelivery[]> {
    const body = JSON.stringify(event);
    const targets = this.endpoints().filter((e) => options.url === undefined || e.url === options.url);
    const out: WebhookDelivery[] = [];
    for (const endpoint of targets) {
      const signature = signatureHeader(body, options.secret ?? endpoint.secret, options.timestamp ?? this.clock.now());
      out.push(await this.#post(endpoint.url, event, body, signature));
    }
    return out;
  }

  /** Sends a delivery again exactly as it was (same body, same signature): a replay, as an attacker would. */
  async resend(deliveryId: string): Promise<WebhookDelivery> {
    const original = this.#deliveries.find((d) => d.id === deliveryId);
    if (!original) throw new TypeError(`webhooks.resend(): unknown delivery '${deliveryId}'`);
    return this.#post(original.url, { id: original.eventId, event: original.event }, original.body, original.signature);
  }

  async #post(url: string, event: Pick<WebhookEvent, 'id' | 'event'>, body: string, signature: string): Promise<WebhookDelivery> {
    const started = performance.now();
    const base = { id: prefixedId('wh_delivery', this.clock.now()), eventId: event.id, event: event.event, url, body, signature, sentAt: isoAt(this.clock.now()) };
    let delivery: WebhookDelivery;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signature, 'User-Agent': 'WorkOS emulator webhooks' },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      const text = await res.text();
      delivery = { ...base, status: res.status, response: text.slice(0, 500), durationMs: Math.round(performance.now() - started) };
    } catch (error) {
      const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      delivery = { ...base, status: null, error: reason, response: '', durationMs: Math.round(performance.now() - started) };
    }
    this.#deliveries.push(Object.freeze(delivery));
    if (this.#deliveries.length > MAX_DELIVERIES) this.#deliveries.splice(0, this.#deliveries.length - MAX_DELIVERIES);
    return delivery;
  }
}
