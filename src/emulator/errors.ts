// Two kinds of failure: a misconfigured emulator throws a coded TypeError when it is created; a bad
// HTTP request becomes an HttpError whose JSON body follows the WorkOS wire contract.
import type { z } from 'zod';

export class EmulatorConfigError extends TypeError {
  readonly code = 'ERR_WORKOS_EMULATOR_CONFIG';
  constructor(
    message: string,
    /** Each bad key path with what was wrong, e.g. `connections[0].users[1].email: Invalid email address`. */
    readonly issues: readonly string[] = [],
  ) {
    super(issues.length > 0 ? `${message}\n  ${issues.join('\n  ')}` : message);
    this.name = 'EmulatorConfigError';
  }
}

/** A response the error middleware sends as JSON, with the status and body chosen by the route. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Readonly<Record<string, unknown>>,
  ) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
    this.name = 'HttpError';
  }
}

/** `connections[0].users[1].email` rather than zod's array form, so messages name the key as written. */
export function formatPath(path: readonly PropertyKey[], root = ''): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export function formatIssues(error: z.ZodError, root = ''): string[] {
  return error.issues.map((issue) => `${formatPath(issue.path, root)}: ${issue.message}`);
}
