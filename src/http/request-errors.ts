// What the router's error handler needs to tell a client's mistake from its own, and to name a request in a log
// line without the secrets some URLs carry.
import type { Request } from 'express';
import { LoginError, type LoginErrorCode } from '../errors.ts';

const CLIENT_CODES: Readonly<Record<number, LoginErrorCode>> = { 404: 'not_found', 413: 'request_too_large', 415: 'request_unsupported' };

/**
 * A client error raised by Express's own parts (the body parser: a body too large, too many fields, an unknown
 * charset or encoding, a corrupt gzip body; static files: a missing file; the router: a path that does not
 * decode) as the LoginError of its status, so it gets the normal error page. They mark themselves with equal
 * numeric `status` and `statusCode` in 400–499 (http-errors, the router's URIError); other errors, such as the
 * WorkOS SDK's (which carry only `status`), stay server errors.
 */
export function clientError(err: unknown): LoginError | null {
  if (!err || typeof err !== 'object') return null;
  const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
  if (typeof status !== 'number' || status !== statusCode || status < 400 || status > 499) return null;
  return new LoginError(CLIENT_CODES[status] ?? 'bad_request', status, { cause: err });
}

/**
 * The request as a log line may name it: the route's pattern (`/accounts/reset/:token`), never the path, which
 * can carry a reset token. Outside a route (a middleware failed first) every segment that is not a plain word
 * is replaced, so a token in the path never reaches the log either way. The query string is never included.
 */
export function routeForLog(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string') return `${req.baseUrl}${pattern}`;
  const path = req.path.split('/').map((segment) => (segment === '' || /^[a-z][a-z_-]{0,39}$/.test(segment) ? segment : ':param')).join('/');
  return `${req.baseUrl}${path}`;
}
