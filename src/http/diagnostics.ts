// Set-up mistakes that otherwise fail silently, each logged once per router with its cause and its fix: a Secure
// session cookie on plain http (the browser never sends it back, so every form is a CSRF failure), requests from
// an origin other than `baseUrl` (links and callbacks go elsewhere), and an empty rule table (every login fails).
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../config.ts';
import type { RuleSource } from '../context.ts';

export type SetupProblem = 'secure_cookie_over_http' | 'origin_mismatch' | 'no_session_cookie' | 'no_rules';

/** The origin a request came from: the browser's Origin header when it sent one, else its protocol and host. */
export function requestOrigin(req: Request): string | null {
  const origin = req.get('origin');
  if (origin && origin !== 'null') return origin;
  const host = req.get('host');
  return host ? `${req.protocol}://${host}` : null;
}

/** True when the request's session cookie is Secure and the request came over plain http (so it is never stored). */
export function secureCookieOverHttp(req: Request): boolean {
  return req.session?.cookie?.secure === true && !req.secure;
}

export class SetupDiagnostics {
  private readonly logged = new Set<SetupProblem>();
  private rulesChecked = false;

  constructor(
    private readonly baseUrl: string,
    private readonly logger: Logger,
  ) {}

  /** Logs `problem` unless it was logged before by this router. */
  warnOnce(problem: SetupProblem, message: string): void {
    if (this.logged.has(problem)) return;
    this.logged.add(problem);
    this.logger.warn(`express-workos-login: ${message}`);
  }

  /** Runs on every request to the router: checks that cost nothing, and the rule check once, in the background. */
  middleware(rules: RuleSource): RequestHandler {
    return (req, _res, next) => {
      this.checkRequest(req);
      if (!this.rulesChecked) {
        this.rulesChecked = true;
        void this.checkRules(rules);
      }
      next();
    };
  }

  checkRequest(req: Request): void {
    const origin = requestOrigin(req);
    if (secureCookieOverHttp(req)) {
      this.warnOnce(
        'secure_cookie_over_http',
        `a request came over plain http (${origin ?? 'unknown origin'}) but the session cookie is Secure, so the browser never sends it back and every form fails with a CSRF error. ` +
          `Set baseUrl (and recommendedSessionOptions' baseUrl) to the origin people use, e.g. BASE_URL=${origin ?? 'http://localhost:3000'}; behind an https proxy, app.set('trust proxy', 1).`,
      );
    }
    if (origin && origin !== this.baseUrl) {
      this.warnOnce(
        'origin_mismatch',
        `a request came from ${origin} but baseUrl is ${this.baseUrl}: links in emails and SSO callbacks point at baseUrl, and cookies set for one origin are not sent to the other. ` +
          `Set baseUrl to the origin people use (e.g. BASE_URL=${origin}); behind a proxy, app.set('trust proxy', 1) so that req.protocol is the public one.`,
      );
    }
  }

  /** A form came back without any cookie: the CSRF check cannot pass. Logs why (once) and says it to the person. */
  noSessionCookie(req: Request): void {
    const cause = secureCookieOverHttp(req)
      ? 'the session cookie is Secure and this site was opened over plain http'
      : 'the browser blocks cookies for this site, or express-session is not given the same cookie on every request';
    this.warnOnce('no_session_cookie', `a form was posted without a session cookie (${cause}); it is refused as a CSRF failure.`);
  }

  private async checkRules(rules: RuleSource): Promise<void> {
    try {
      if ((await rules.list()).length > 0) return;
      this.warnOnce(
        'no_rules',
        'there are no usable login rules, so every login fails (a correct password is refused as wrong). ' +
          'Create the default rule once with `await seedDefaultRule(prisma)` (exported by express-workos-login), or add rules with login.rules.create(...).',
      );
    } catch {
      // The database is not reachable yet: the request that needs it reports that itself.
      this.rulesChecked = false;
    }
  }
}
