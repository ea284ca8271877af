// Step 2 for SSO rules: remember the login in the session (random, single-use, expiring state) and send the
// browser to WorkOS with the rule's connection, organization or OAuth provider and the typed name as login hint.
import type { Request, Response } from 'express';
import type { Context, LoginAttempt } from '../context.ts';
import type { LoginRule } from '../core/rules.ts';
import { LoginError } from '../errors.ts';
import { saveSession } from '../http/session.ts';
import { isSsoRule } from './rule.ts';
import { addPending } from './state.ts';

/** Where WorkOS sends the browser back: `sso.callbackUrl`, else `<baseUrl><mount>/callback/sso/`. */
export function ssoCallbackUrl(ctx: Context, req: Request): string {
  return ctx.config.sso.callbackUrl ?? `${ctx.config.baseUrl}${req.baseUrl}/callback/sso/`;
}

function selector(rule: LoginRule): { connection: string } | { organization: string } | { provider: string } {
  if (rule.connectionId) return { connection: rule.connectionId };
  if (rule.organizationId) return { organization: rule.organizationId };
  return { provider: rule.method };
}

/** Stores a fresh state for this login in the session (and saves it), and returns the WorkOS URL to send the browser to. */
export async function ssoStartUrl(ctx: Context, attempt: LoginAttempt, redirectUri: string): Promise<string> {
  const { req, rule } = attempt;
  if (!rule || !isSsoRule(rule)) throw new LoginError('method_unavailable', 501);
  const sdk = ctx.workos.sdk; // a missing API key is an "upstream" page, before anything is stored
  const now = ctx.now();
  const state = addPending(req, { ruleId: rule.id, typed: attempt.typed, userId: attempt.user?.id ?? null, next: attempt.next, expiresAt: now + ctx.config.sso.stateTtlSeconds * 1000 }, now);
  const url = sdk.sso.getAuthorizationUrl({
    ...selector(rule),
    clientId: ctx.workos.clientId,
    redirectUri,
    state,
    ...(attempt.typed ? { loginHint: attempt.typed } : {}),
  } as Parameters<typeof sdk.sso.getAuthorizationUrl>[0]);
  await saveSession(req);
  return url;
}

export async function startSso(ctx: Context, attempt: LoginAttempt, res: Response): Promise<void> {
  res.redirect(303, await ssoStartUrl(ctx, attempt, ssoCallbackUrl(ctx, attempt.req)));
}
