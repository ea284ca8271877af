// The server side of SSO and magic links: `POST /sso/token` trades a code for a profile (form or JSON
// body, client secret = API key, or PKCE for public clients) and `GET /sso/profile` reads it back.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import { HttpError } from './errors.ts';
import { ACCESS_TOKEN_TTL_S } from './grants.ts';
import { bearerToken, oauthValidationBody, parseInput, sendJson } from './http.ts';

const tokenBody = z.object({
  client_id: z.string({ error: 'is required' }),
  client_secret: z.string().optional(),
  grant_type: z.string({ error: 'is required' }),
  code: z.string({ error: 'is required' }).min(1, { error: 'is required' }),
  code_verifier: z.string().optional(),
});

function oauthError(error: string, description: string): HttpError {
  return new HttpError(400, { error, error_description: description });
}

export function ssoTokenRoutes(ctx: EmulatorContext): Router {
  const router = Router();

  router.post('/sso/token', (req: Request, res: Response) => {
    const body = parseInput(tokenBody, req.body, oauthValidationBody);
    if (body.grant_type !== 'authorization_code') {
      throw oauthError('unsupported_grant_type', `The grant_type '${body.grant_type}' is not supported; use authorization_code.`);
    }
    const client = ctx.directory.client(body.client_id);
    if (!client) throw oauthError('invalid_client', 'Invalid client ID or secret.');
    if (body.client_secret !== undefined) {
      if (body.client_secret !== client.apiKey) throw oauthError('invalid_client', 'Invalid client ID or secret.');
    } else if (body.code_verifier === undefined || !ctx.grants.hasChallenge(body.code)) {
      // Without a secret only a PKCE-protected code may be redeemed (a public client).
      throw oauthError('invalid_client', 'Invalid client ID or secret.');
    }
    const redeemed = ctx.grants.redeem(body.code, client.clientId, body.code_verifier);
    if (!redeemed.ok) throw oauthError('invalid_grant', redeemed.description);
    sendJson(res, 200, {
      token_type: 'Bearer',
      access_token: ctx.grants.issueAccessToken(redeemed.profile),
      expires_in: ACCESS_TOKEN_TTL_S,
      profile: redeemed.profile,
      ...(redeemed.oauthTokens ? { oauth_tokens: redeemed.oauthTokens } : {}),
    });
  });

  router.get('/sso/profile', (req: Request, res: Response) => {
    const token = bearerToken(req);
    const profile = token === undefined ? undefined : ctx.grants.profileForAccessToken(token);
    if (!profile) return sendJson(res, 401, { error: 'Unauthorized' });
    sendJson(res, 200, profile);
  });

  return router;
}
