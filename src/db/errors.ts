// The one place that recognises Prisma's errors (codes and names) and maps them.
import { LoginError } from '../errors.ts';

const codeOf = (err: unknown): string | undefined =>
  err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;

/** Unique constraint violation (P2002). */
export const isUniqueViolation = (err: unknown): boolean => codeOf(err) === 'P2002';

/** Record to update/delete not found (P2025). */
export const isRecordNotFound = (err: unknown): boolean => codeOf(err) === 'P2025';

/** Prisma rejected the query shape (unknown field, wrong type): the message names the problem. */
export const isValidationError = (err: unknown): boolean =>
  !!err && typeof err === 'object' && (err as { name?: unknown }).name === 'PrismaClientValidationError';

/**
 * A plain TypeError or Error from inside a repository call: the client or its driver broke without naming the
 * failure (e.g. a delegate missing from the host's client, or pg's "Connection terminated unexpectedly" when the
 * server goes away in a transaction). Keeps the original message for the log, and its `cause`.
 */
export class DatabaseFailure extends Error {
  constructor(cause: Error) {
    super(cause.message, { cause });
    this.name = 'DatabaseFailure';
  }
}

/** A repository call that did not settle within `database.timeoutMs`. */
export class DatabaseTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`a database call took longer than database.timeoutMs (${timeoutMs} ms)`);
    this.name = 'DatabaseTimeout';
  }
}

/** Any failure of the client or its driver (connection refused, corrupt file, timeout, bad query): a 503 page. */
export function isDatabaseError(err: unknown): boolean {
  const name = err && typeof err === 'object' ? String((err as { name?: unknown }).name ?? '') : '';
  return name.startsWith('PrismaClient') || name === 'DriverAdapterError' || err instanceof DatabaseFailure || err instanceof DatabaseTimeout;
}

/**
 * `promise`, or a `DatabaseTimeout` once `timeoutMs` passed. The call itself goes on in the driver (a query cannot
 * be taken back); what it returns late is dropped, and transactions carry the same limit, so a late one rolls back.
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseTimeout(timeoutMs)), timeoutMs);
  });
  // A rejection after the timeout has nobody left to hear it.
  promise.catch(() => {});
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => !!v && typeof (v as { then?: unknown }).then === 'function';

// Only the bare classes: the library's own errors (LoginError, …), Prisma's named ones and anything carrying a
// Prisma code (P2002 and the like, which callers look at) pass unchanged.
const asFailure = (err: unknown): unknown =>
  err instanceof Error &&
  (Object.getPrototypeOf(err) === TypeError.prototype || Object.getPrototypeOf(err) === Error.prototype) &&
  !/^P\d{4}$/.test(codeOf(err) ?? '')
    ? new DatabaseFailure(err)
    : err;

/**
 * The repository with every method's plain TypeErrors and Errors (thrown, or rejected) turned into `DatabaseFailure`s, so
 * they end as the "try again" page like other database failures, and every call limited to `timeoutMs`. Other
 * errors pass unchanged.
 */
export function guardRepository<T extends object>(repo: T, timeoutMs: number): T {
  return new Proxy(repo, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (err) {
          throw asFailure(err);
        }
        // Prisma's own promises are lazy thenables, not Promises.
        return isThenable(result)
          ? withTimeout(Promise.resolve(result), timeoutMs).catch((err: unknown) => {
              throw asFailure(err);
            })
          : result;
      };
    },
  });
}

/**
 * The host's client with every interactive transaction limited to `timeoutMs` (waiting for a connection included):
 * a transaction whose caller already gave up at the limit is rolled back by Prisma instead of committing late, so a
 * just-in-time user is created whole or not at all. The host's client itself is not changed.
 */
export function withTransactionLimit<T extends object>(prisma: T, timeoutMs: number): T {
  const transaction = (prisma as unknown as { $transaction: (arg: unknown, options?: object) => unknown }).$transaction;
  return new Proxy(prisma, {
    get(target, key) {
      if (key !== '$transaction') return Reflect.get(target, key, target);
      return (arg: unknown, options?: object) =>
        transaction.call(target, arg, typeof arg === 'function' ? { maxWait: timeoutMs, timeout: timeoutMs, ...options } : options);
    },
  });
}

/** Wraps a database failure as a user-safe "try again" error; the original stays in `cause`. */
export function databaseFailure(err: unknown): LoginError {
  return err instanceof LoginError ? err : new LoginError('upstream', 503, { cause: err });
}

/** First line of a Prisma validation message, which names the offending argument. */
export function validationSummary(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /Unknown argument|Invalid value|Argument|Expected/.test(l)) ?? lines[lines.length - 1] ?? 'invalid filter';
}
