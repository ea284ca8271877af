// The method contract: what a login-method folder (password/, mfa/, magic-link/, sso/, or a host's own) gives the
// router. The router only lists modules; rule validation, the step order and the pages all come from here.
import type { Request, Response, Router } from 'express';
import type { Context, KnownAttempt, LoginAttempt } from './context.ts';
import type { RuleCatalogEntry } from './core/rules.ts';

/**
 * A Passport strategy as Passport sees it (what passport-strategy's `Strategy` is, structurally): hosts pass it to
 * their own `passport.use`. Declared here so that the public types never need Passport's type packages.
 */
export interface AuthStrategy<AuthenticateOptions extends object = object> {
  name: string;
  authenticate(req: Request, options?: AuthenticateOptions): void;
}

/** What a method module does at run time, built once per router. */
export interface MethodRuntime {
  /** Its pages (mounted under the router, after the shared ones). */
  readonly routes?: Router;
  /**
   * Routes that authenticate every request themselves (signed webhooks): mounted before the session user and the
   * CSRF check, which a server-to-server POST could never pass.
   */
  readonly webhooks?: Router;
  /** Step 2 for rules of its methods whose first factor is its own (`steps.first === 'own'`). */
  start?(attempt: LoginAttempt, res: Response): Promise<void>;
  /** The second step it runs when a rule's `steps.second` (or an enrolled factor) names one of its methods. */
  afterFirstFactor?(attempt: KnownAttempt, res: Response): Promise<void>;
  /** A new instance of its Passport strategy, for a host's own route (`login.strategies`). */
  strategy?(options?: never): AuthStrategy;
}

/** A login method folder, as one object. */
export interface MethodModule extends RuleCatalogEntry {
  /** The folder's name, for messages. */
  readonly name: string;
  /** Its error codes with the text shown for each (the router's pages pick text by code). */
  readonly messages: Readonly<Record<string, string>>;
  /** The `loginFailed` reasons it reports, with what each means. */
  readonly failReasons: Readonly<Record<string, string>>;
  /** Its config section: the key in the config and the zod schema that declares its options and their defaults. */
  readonly config?: { readonly key: string; readonly schema: unknown };
  /** A directory with its own page templates (looked up after the host's `templateDirs`, before the library's own). */
  readonly views?: string;
  setup(ctx: Context): MethodRuntime;
}

/** Builds a method module from its folder's declarations (rule methods, texts, config) and its `setup`. */
export function defineMethod<R extends RuleCatalogEntry, RT extends MethodRuntime>(
  name: string,
  rules: R,
  parts: Pick<MethodModule, 'messages' | 'failReasons' | 'config' | 'views'>,
  setup: (ctx: Context) => RT,
): R & Omit<MethodModule, keyof RuleCatalogEntry | 'setup'> & { setup(ctx: Context): RT } {
  return { name, ...rules, ...parts, setup };
}
