// The one place that knows Prisma's error codes.
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
