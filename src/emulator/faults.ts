// Fault injection: the next N matching calls fail with a chosen status and body, or hang first, so an
// app's handling of WorkOS outages and timeouts can be tested. Control routes (`/_emulator/*`) are
// never affected.
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { EmulatorConfigError, formatIssues } from './errors.ts';
import { parseInput, sendJson } from './http.ts';

export interface FaultRule {
  /** HTTP method to match (any when left out). */
  method?: string;
  /** Exact path, or a prefix ending in `*` (e.g. `/auth/*`). */
  path: string;
  /** How many matching calls fail; defaults to 1. */
  times?: number;
  /** Answer with this status (and `body`, as JSON unless `contentType` is set). */
  status?: number;
  body?: unknown;
  /** Send `body` (a string) with this content type instead of JSON, e.g. an HTML error page. */
  contentType?: string;
  /** Wait this long before answering (with `status`, or normally when no status is given). */
  hangMs?: number;
}

export interface InjectedFault {
  readonly id: number;
  readonly method: string | undefined;
  readonly path: string;
  readonly remaining: number;
  readonly status: number | undefined;
  readonly body: unknown;
  readonly contentType: string | undefined;
  readonly hangMs: number | undefined;
}

const ruleSchema = z
  .object({
    method: z.string().min(1).optional(),
    path: z.string().startsWith('/', { error: 'must start with "/"' }),
    times: z.number().int().min(1).default(1),
    status: z.number().int().min(200).max(599).optional(),
    body: z.unknown().optional(),
    contentType: z.string().min(1).optional(),
    hangMs: z.number().int().min(0).max(600_000).optional(),
  })
  .refine((r) => r.status !== undefined || r.hangMs !== undefined, { error: 'give a status, a hangMs, or both' })
  .refine((r) => r.contentType === undefined || typeof r.body === 'string', { error: 'body must be a string when contentType is set', path: ['body'] });

function matches(fault: InjectedFault, method: string, path: string): boolean {
  if (fault.method !== undefined && fault.method.toUpperCase() !== method.toUpperCase()) return false;
  return fault.path.endsWith('*') ? path.startsWith(fault.path.slice(0, -1)) : path === fault.path;
}

export class Faults {
  #faults: InjectedFault[] = [];
  #nextId = 1;
  readonly #timers = new Set<NodeJS.Timeout>();

  /** Makes the next `times` calls matching `method` and `path` fail or hang. Throws on a malformed rule. */
  inject(rule: FaultRule): InjectedFault {
    const parsed = ruleSchema.safeParse(rule);
    if (!parsed.success) throw new EmulatorConfigError('Invalid fault rule:', formatIssues(parsed.error, 'inject()'));
    return this.#add(parsed.data);
  }

  /** Faults still waiting for a matching call. */
  pending(): readonly InjectedFault[] {
    return [...this.#faults];
  }

  clear(): void {
    this.#faults = [];
  }

  /** Stops hanging requests from answering after the emulator closed. */
  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.clear();
  }

  #add(rule: z.output<typeof ruleSchema>): InjectedFault {
    const fault: InjectedFault = Object.freeze({
      id: this.#nextId++,
      method: rule.method,
      path: rule.path,
      remaining: rule.times,
      status: rule.status,
      body: rule.body,
      contentType: rule.contentType,
      hangMs: rule.hangMs,
    });
    this.#faults.push(fault);
    return fault;
  }

  #take(method: string, path: string): InjectedFault | undefined {
    const index = this.#faults.findIndex((f) => matches(f, method, path));
    const fault = this.#faults[index];
    if (!fault) return undefined;
    if (fault.remaining <= 1) this.#faults.splice(index, 1);
    else this.#faults[index] = Object.freeze({ ...fault, remaining: fault.remaining - 1 });
    return fault;
  }

  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      if (req.path.startsWith('/_emulator/')) return next();
      const fault = this.#take(req.method, req.path);
      if (!fault) return next();
      const answer = () => {
        if (fault.status === undefined) return next();
        if (fault.contentType !== undefined) return res.status(fault.status).type(fault.contentType).send(String(fault.body));
        sendJson(res, fault.status, fault.body ?? { code: 'emulator_fault', message: `Injected fault (HTTP ${fault.status}).` });
      };
      if (fault.hangMs === undefined || fault.hangMs === 0) return answer();
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        answer();
      }, fault.hangMs);
      this.#timers.add(timer);
      // A client that gave up (SDK timeout) gets no late answer.
      res.on('close', () => {
        clearTimeout(timer);
        this.#timers.delete(timer);
      });
    };
  }

  routes(): Router {
    const router = Router();
    router.get('/_emulator/faults', (_req: Request, res: Response) => sendJson(res, 200, { data: this.pending() }));
    router.post('/_emulator/faults', (req: Request, res: Response) => {
      sendJson(res, 201, this.#add(parseInput(ruleSchema, req.body)));
    });
    router.delete('/_emulator/faults', (_req: Request, res: Response) => {
      this.clear();
      res.status(204).end();
    });
    return router;
  }
}
