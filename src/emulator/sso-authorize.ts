// The browser side of SP-initiated SSO: `GET /sso/authorize` validates the client and redirect URI,
// resolves the selector and shows the mock IdP page; the page's forms come back here to finish.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import { type Connection, normaliseUser } from './directory-schema.ts';
import { HttpError, formatIssues } from './errors.ts';
import { oauthValidationBody, parseInput } from './http.ts';
import { prefixedId } from './ids.ts';
import { oauthTokensFor } from './oauth-tokens.ts';
import { type AuthorizePageModel, type CustomProfileValues, authorizePage, messagePage } from './pages.ts';
import { type Profile, profileFor } from './profile.ts';
import { isRedirectUriAllowed, withQuery } from './redirect-uris.ts';
import { resolveSelector } from './selectors.ts';

/** The error codes the IdP page offers, from the WorkOS docs. */
export const AUTHORIZE_ERRORS = [
  'access_denied',
  'connection_invalid',
  'connection_strategy_invalid',
  'connection_unlinked',
  'oauth_failed',
  'profile_not_allowed_outside_organization',
  'server_error',
  'signin_consent_denied',
] as const;

const PENDING_TTL_MS = 30 * 60_000;

interface PendingAuthorization {
  id: string;
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  connections: readonly Connection[];
  loginHint: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: 'S256' | 'plain' | undefined;
  providerScopes: readonly string[];
  expiresAt: number;
}

const optional = z.string().optional();
const authorizeQuery = z.object({
  client_id: optional,
  redirect_uri: optional,
  response_type: optional,
  state: optional,
  connection: optional,
  organization: optional,
  provider: optional,
  login_hint: optional,
  domain_hint: optional,
  code_challenge: optional,
  code_challenge_method: z.enum(['S256', 'plain']).optional(),
  provider_scopes: z.union([z.string(), z.array(z.string())]).optional(),
});

const choiceForm = z.discriminatedUnion('choice', [
  z.object({ choice: z.literal('user'), connection_id: z.string(), idp_id: z.string() }),
  z.object({ choice: z.literal('error'), error: z.enum(AUTHORIZE_ERRORS), error_description: z.string().max(500).default('') }),
  z.object({
    choice: z.literal('custom'),
    connection_id: z.string(),
    email: z.string().trim(),
    first_name: z.string().trim().default(''),
    last_name: z.string().trim().default(''),
    idp_id: z.string().trim().default(''),
    groups: z.string().default(''),
    raw_attributes: z.string().default(''),
  }),
]);

const customProfile = z.object({
  email: z.email(),
  raw_attributes: z.string().transform((text, ctx) => {
    if (text.trim() === '') return {};
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"title": "Engineer"}' });
    return z.NEVER;
  }),
});

function toProfile(connection: Connection, values: CustomProfileValues, raw: Record<string, unknown>): Profile {
  const user = normaliseUser({
    email: values.email,
    firstName: values.first_name || null,
    lastName: values.last_name || null,
    ...(values.idp_id ? { idpId: values.idp_id } : {}),
    groups: values.groups.split(',').map((g) => g.trim()).filter((g) => g !== ''),
    rawAttributes: raw,
  });
  return profileFor(connection, user);
}

export function ssoAuthorizeRoutes(ctx: EmulatorContext): Router {
  const router = Router();
  const pending = new Map<string, PendingAuthorization>();

  function model(request: PendingAuthorization, extra: Partial<AuthorizePageModel> = {}): AuthorizePageModel {
    const { id: requestId, clientId, redirectUri, connections, loginHint } = request;
    return { requestId, clientId, redirectUri, connections, loginHint, errors: AUTHORIZE_ERRORS, ...extra };
  }

  router.get('/sso/authorize', (req: Request, res: Response) => {
    const query = parseInput(authorizeQuery, req.query, oauthValidationBody);
    const client = ctx.directory.client(query.client_id ?? '');
    if (!client) throw new HttpError(400, { error: 'invalid_client', error_description: `Invalid client ID '${query.client_id ?? ''}'.` });
    if (!query.redirect_uri || !isRedirectUriAllowed(client.redirectUris, query.redirect_uri)) {
      throw new HttpError(400, {
        error: 'invalid_redirect_uri',
        error_description: `The redirect_uri '${query.redirect_uri ?? ''}' is not allow-listed for client '${client.clientId}'.`,
      });
    }
    if (query.response_type !== undefined && query.response_type !== 'code') {
      throw new HttpError(400, { error: 'unsupported_response_type', error_description: 'Only response_type=code is supported.' });
    }
    const selected = resolveSelector(ctx.directory, query);
    if (!selected.ok) {
      return res.redirect(302, withQuery(query.redirect_uri, { error: selected.error, error_description: selected.description, state: query.state }));
    }
    const scopes = query.provider_scopes;
    const request: PendingAuthorization = {
      id: prefixedId('authz', ctx.clock.now()),
      clientId: client.clientId,
      redirectUri: query.redirect_uri,
      state: query.state,
      connections: selected.connections,
      loginHint: query.login_hint,
      codeChallenge: query.code_challenge,
      codeChallengeMethod: query.code_challenge === undefined ? undefined : (query.code_challenge_method ?? 'plain'),
      providerScopes: scopes === undefined ? [] : Array.isArray(scopes) ? scopes : [scopes],
      expiresAt: ctx.clock.now() + PENDING_TTL_MS,
    };
    for (const [id, old] of pending) if (old.expiresAt <= ctx.clock.now()) pending.delete(id);
    pending.set(request.id, request);
    res.type('html').send(authorizePage(model(request)));
  });

  router.post('/_emulator/sso/authorize/:requestId', (req: Request, res: Response) => {
    const request = pending.get(String(req.params.requestId));
    if (!request || request.expiresAt <= ctx.clock.now()) {
      return res.status(400).type('html').send(messagePage('Sign-in request not found', 'This sign-in request is unknown, expired or already completed. Start again from the application.'));
    }
    const form = choiceForm.safeParse(req.body ?? {});
    if (!form.success) {
      return res.status(400).type('html').send(authorizePage(model(request, { error: formatIssues(form.error).join('; ') })));
    }
    const choice = form.data;
    const finish = (params: Record<string, string | undefined>) => {
      pending.delete(request.id);
      res.redirect(302, withQuery(request.redirectUri, { ...params, state: request.state }));
    };
    if (choice.choice === 'error') {
      return finish({ error: choice.error, error_description: choice.error_description || `The identity provider returned ${choice.error}.` });
    }
    const connection = request.connections.find((c) => c.id === choice.connection_id);
    let profile: Profile | undefined;
    if (connection && choice.choice === 'user') {
      const user = ctx.directory.findUser(connection.id, choice.idp_id);
      profile = user && profileFor(connection, user);
    } else if (connection && choice.choice === 'custom') {
      const checked = customProfile.safeParse(choice);
      if (!checked.success) {
        const page = authorizePage(model(request, { error: formatIssues(checked.error).join('; '), custom: choice }));
        return res.status(400).type('html').send(page);
      }
      profile = toProfile(connection, choice, checked.data.raw_attributes);
    }
    if (!connection || !profile) {
      return res.status(400).type('html').send(authorizePage(model(request, { error: 'That user is not part of this sign-in request.' })));
    }
    const code = ctx.grants.issueCode({
      clientId: request.clientId,
      profile,
      oauthTokens: oauthTokensFor(connection, request.providerScopes, ctx.clock.now()),
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: request.codeChallengeMethod,
    });
    finish({ code });
  });

  return router;
}
