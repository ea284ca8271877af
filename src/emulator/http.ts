// Express plumbing shared by every route: request ids, zod-validated inputs, API-key auth, and an
// error handler that always answers JSON (never a stack trace), because the SDK parses only JSON.
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { Client } from './directory-schema.ts';
import type { EmulatorDirectory } from './directory.ts';
import { HttpError, formatIssues } from './errors.ts';
import { requestId } from './ids.ts';

/** The SDK reads `X-Request-ID` (11.x) for its exceptions; every response carries one. */
export const assignRequestId: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Request-ID', requestId());
  next();
};

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/** Parses `value` or throws a 400 whose body the caller shapes (WorkOS API vs OAuth error). */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  toBody: (message: string) => Record<string, unknown> = apiValidationBody,
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new HttpError(400, toBody(formatIssues(result.error).join('; ')));
  return result.data;
}

export function apiValidationBody(message: string): Record<string, unknown> {
  return { code: 'invalid_request_parameters', message };
}

export function oauthValidationBody(message: string): Record<string, unknown> {
  return { error: 'invalid_request', error_description: message };
}

export function notFoundBody(message: string): Record<string, unknown> {
  return { code: 'entity_not_found', message };
}

export function bearerToken(req: Request): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1]?.trim();
}

/** The client whose API key authorised this request, set by `requireApiKey`. */
export function authorisedClient(res: Response): Client {
  const client: unknown = res.locals.client;
  if (!client) throw new Error('requireApiKey must run before authorisedClient');
  return client as Client;
}

export function requireApiKey(directory: EmulatorDirectory): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const key = bearerToken(req);
    const client = key === undefined ? undefined : directory.clientByApiKey(key);
    // The SDK ignores a 401 body, but it must still be JSON or the SDK throws a ParseError instead.
    if (!client) return sendJson(res, 401, { message: 'Unauthorized', error: 'Unauthorized' });
    res.locals.client = client;
    next();
  };
}

export const notFound: RequestHandler = (req, res) => {
  sendJson(res, 404, { message: `The requested path '${req.path}' could not be found.` });
};

function isBodyParserError(error: unknown): error is { status: number; type: string } {
  return typeof error === 'object' && error !== null && 'type' in error && 'status' in error && typeof error.status === 'number';
}

export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  if (res.headersSent) return;
  if (error instanceof HttpError) return sendJson(res, error.status, error.body);
  if (isBodyParserError(error) && error.status >= 400 && error.status < 500) {
    const message = error.type === 'entity.parse.failed' ? 'The request body is not valid JSON.' : `The request body was rejected (${error.type}).`;
    const body = req.path === '/sso/token' ? oauthValidationBody(message) : apiValidationBody(message);
    return sendJson(res, error.status, body);
  }
  // A bug in the emulator: say so in its log, keep internals out of the response.
  console.error('[workos-emulator]', error);
  sendJson(res, 500, { message: 'The WorkOS emulator failed to handle this request.', code: 'emulator_error' });
};
