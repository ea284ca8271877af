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
 * A plain TypeError from inside a repository call: the client or its driver broke without naming the failure
 * (e.g. a delegate missing from the host's client). Keeps the original message for the log, and its `cause`.
 */
export class DatabaseFailure extends Error {
  constructor(cause: TypeError) {
    super(cause.message, { cause });
    this.name = 'DatabaseFailure';
  }
}

/** Any failure of the client or its driver (connection refused, corrupt file, timeout, bad query): a 503 page. */
export function isDatabaseError(err: unknown): boolean {
  const name = err && typeof err === 'object' ? String((err as { name?: unknown }).name ?? '') : '';
  return name.startsWith('PrismaClient') || name === 'DriverAdapterError' || err instanceof DatabaseFailure;
}

const asFailure = (err: unknown): unknown => (err instanceof TypeError && Object.getPrototypeOf(err) === TypeError.prototype ? new DatabaseFailure(err) : err);

/**
 * The repository with every method's plain TypeErrors (thrown, or rejected) turned into `DatabaseFailure`s, so
 * they end as the "try again" page like other database failures. Other errors pass unchanged.
 */
export function guardRepository<T extends object>(repo: T): T {
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
        return result instanceof Promise
          ? result.catch((err: unknown) => {
              throw asFailure(err);
            })
          : result;
      };
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
