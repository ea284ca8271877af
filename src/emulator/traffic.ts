// The emulator's traffic log: every API call it received (method, path, status, time, duration, which client's
// key was used), with secrets masked, as JSON (`GET /_emulator/requests`) and as a page. Its own pages and control
// routes (`/_emulator/*`) are not logged.
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { isoAt, type EmulatorClock } from './clock.ts';
import type { EmulatorDirectory } from './directory.ts';
import { bearerToken, sendJson } from './http.ts';
import { requestsPage } from './pages.ts';
import type { Webhooks } from './webhooks.ts';

/** Requests kept; the oldest are dropped first. */
const MAX_REQUESTS = 1000;
export const MASKED = '[masked]';
/** Parameter names whose values are secrets (codes, keys, tokens, states, verifiers, passwords). */
const SECRET_KEY = /secret|password|code|token|key|state|verifier|challenge|authorization/i;

export interface RecordedRequest {
  /** 1, 2, 3… in the order received. */
  readonly id: number;
  readonly method: string;
  /** The path and query as received, with secret values masked. */
  readonly path: string;
  readonly status: number;
  /** ISO 8601, on the emulator's clock. */
  readonly at: string;
  readonly durationMs: number;
  /** The client whose API key authorised the call; `unknown key`, or null when none was sent. */
  readonly client: string | null;
  /** The JSON or form body's fields, with secret values masked (absent without a body). */
  readonly body?: Readonly<Record<string, unknown>>;
  readonly requestId: string | null;
}

export interface RequestFilter {
  method?: string | undefined;
  /** An exact path (without the query), a prefix ending in `*`, or a regular expression tested on the path. */
  path?: string | RegExp | undefined;
}

function maskValue(key: string, value: unknown): unknown {
  if (SECRET_KEY.test(key)) return value === undefined || value === '' ? value : MASKED;
  if (value && typeof value === 'object' && !Array.isArray(value)) return maskObject(value as Record<string, unknown>);
  return value;
}

function maskObject(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(k, v)]));
}

/** The path with the magic-link token segment masked, and secret query values replaced. */
export function maskedUrl(originalUrl: string): string {
  const url = new URL(originalUrl, 'http://emulator');
  const path = url.pathname.replace(/^\/passwordless\/(?!sessions(?:\/|$))[^/]+\/confirm$/, `/passwordless/${MASKED}/confirm`);
  const params = [...url.searchParams].map(([k, v]) => `${encodeURIComponent(k)}=${SECRET_KEY.test(k) && v !== '' ? MASKED : encodeURIComponent(v)}`);
  return params.length > 0 ? `${path}?${params.join('&')}` : path;
}

function pathOf(recorded: RecordedRequest): string {
  return recorded.path.split('?')[0]!;
}

export function matchesFilter(recorded: RecordedRequest, filter: RequestFilter): boolean {
  if (filter.method !== undefined && recorded.method !== filter.method.toUpperCase()) return false;
  const { path } = filter;
  if (path === undefined) return true;
  if (path instanceof RegExp) return path.test(pathOf(recorded));
  return path.endsWith('*') ? pathOf(recorded).startsWith(path.slice(0, -1)) : pathOf(recorded) === path;
}

export class Traffic {
  readonly #requests: RecordedRequest[] = [];
  #nextId = 1;

  constructor(
    private readonly clock: EmulatorClock,
    private readonly directory: EmulatorDirectory,
  ) {}

  /** Recorded calls, oldest first, optionally only those matching `filter`. */
  list(filter: RequestFilter = {}): RecordedRequest[] {
    return this.#requests.filter((r) => matchesFilter(r, filter));
  }

  latest(filter: RequestFilter = {}): RecordedRequest | undefined {
    return this.list(filter).at(-1);
  }

  clear(): void {
    this.#requests.length = 0;
  }

  /** Runs first: notes the time, then records the call when its answer has been sent. */
  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      if (req.path.startsWith('/_emulator/') || req.path === '/' || req.path === '/favicon.ico') return next();
      const started = performance.now();
      const at = isoAt(this.clock.now());
      const key = bearerToken(req);
      const client = key === undefined ? null : (this.directory.clientByApiKey(key)?.clientId ?? 'unknown key');
      res.on('finish', () => {
        const body = req.body as unknown;
        const hasBody = !!body && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length > 0;
        const header = res.getHeader('X-Request-ID');
        this.#push({
          id: this.#nextId++,
          method: req.method,
          path: maskedUrl(req.originalUrl),
          status: res.statusCode,
          at,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          client,
          ...(hasBody && { body: maskObject(body as Record<string, unknown>) }),
          requestId: typeof header === 'string' ? header : null,
        });
      });
      next();
    };
  }

  #push(recorded: RecordedRequest): void {
    this.#requests.push(Object.freeze(recorded));
    if (this.#requests.length > MAX_REQUESTS) this.#requests.splice(0, this.#requests.length - MAX_REQUESTS);
  }
}

export function trafficRoutes(traffic: Traffic, webhooks: Webhooks): Router {
  const router = Router();
  const sendHtml = (_req: Request, res: Response) => {
    res.type('html').send(requestsPage(traffic.list().reverse(), webhooks.deliveries().reverse()));
  };
  router.get('/_emulator/requests', (req: Request, res: Response) => {
    // Browsers ask for HTML first; fetch() and curl send */* and get JSON.
    if (req.accepts(['json', 'html']) === 'html') return sendHtml(req, res);
    const method = typeof req.query.method === 'string' ? req.query.method : undefined;
    const path = typeof req.query.path === 'string' ? req.query.path : undefined;
    sendJson(res, 200, { data: traffic.list({ method, path }) });
  });
  router.get('/_emulator/requests.html', sendHtml);
  router.delete('/_emulator/requests', (_req: Request, res: Response) => {
    traffic.clear();
    res.status(204).end();
  });
  return router;
}
