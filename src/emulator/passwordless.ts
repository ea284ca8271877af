// Magic links (`/passwordless/*`): sessions whose link points back at the emulator, emailed to the
// outbox on `send`; following the link once redirects with a code exchanged at `/sso/token`.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { isoAt } from './clock.ts';
import type { EmulatorContext } from './context.ts';
import { HttpError } from './errors.ts';
import { authorisedClient, notFoundBody, parseInput, sendJson } from './http.ts';
import { prefixedId, secretToken } from './ids.ts';
import { messagePage } from './pages.ts';
import { magicLinkProfile } from './profile.ts';
import { defaultRedirectUri, isRedirectUriAllowed, withQuery } from './redirect-uris.ts';

const DEFAULT_EXPIRES_IN_S = 15 * 60;

interface Session {
  id: string;
  token: string;
  email: string;
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  expiresAt: number;
  used: boolean;
}

const createBody = z.object({
  email: z.email(),
  type: z.literal('MagicLink', { error: 'must be "MagicLink"' }),
  redirect_uri: z.string().optional(),
  state: z.string().optional(),
  connection: z.string().optional(),
  expires_in: z.number().int().min(900).max(86_400).optional(),
});

/** `/passwordless/sessions*` need the API key (checked by the caller); the link itself is opened by a browser. */
export function passwordlessRoutes(ctx: EmulatorContext): Router {
  const router = Router();
  const sessions = new Map<string, Session>();
  const byToken = new Map<string, Session>();

  router.post('/passwordless/sessions', (req: Request, res: Response) => {
    const body = parseInput(createBody, req.body);
    const client = authorisedClient(res);
    const redirectUri = body.redirect_uri ?? defaultRedirectUri(client.redirectUris);
    if (redirectUri === undefined) {
      throw new HttpError(400, { code: 'invalid_redirect_uri', message: `No redirect_uri was given and client '${client.clientId}' has no default redirect URI.` });
    }
    if (!isRedirectUriAllowed(client.redirectUris, redirectUri)) {
      throw new HttpError(400, { code: 'invalid_redirect_uri', message: `The redirect_uri '${redirectUri}' is not allow-listed for client '${client.clientId}'.` });
    }
    const now = ctx.clock.now();
    const session: Session = {
      id: prefixedId('passwordless_session', now),
      token: secretToken(18),
      email: body.email,
      clientId: client.clientId,
      redirectUri,
      state: body.state,
      expiresAt: now + (body.expires_in ?? DEFAULT_EXPIRES_IN_S) * 1000,
      used: false,
    };
    sessions.set(session.id, session);
    byToken.set(session.token, session);
    sendJson(res, 201, sessionJson(ctx, session));
  });

  router.post('/passwordless/sessions/:id/send', (req: Request, res: Response) => {
    const id = String(req.params.id);
    const session = sessions.get(id);
    if (!session) throw new HttpError(404, notFoundBody(`Passwordless Session not found: '${id}'.`));
    const link = linkOf(ctx, session);
    ctx.outbox.record({
      kind: 'email',
      to: session.email,
      body: `Sign in to your account\n\nClick this link to sign in: ${link}\n\nThe link expires at ${isoAt(session.expiresAt)} and works once.`,
      link,
    });
    sendJson(res, 201, { success: true });
  });

  router.get('/passwordless/:token/confirm', (req: Request, res: Response) => {
    const session = byToken.get(String(req.params.token));
    if (!session) return res.status(404).type('html').send(messagePage('Link not found', 'This sign-in link is not valid.'));
    if (session.used || session.expiresAt <= ctx.clock.now()) {
      const description = session.used ? 'The magic link has already been used.' : 'The magic link has expired.';
      return res.redirect(302, withQuery(session.redirectUri, { error: 'access_denied', error_description: description, state: session.state }));
    }
    session.used = true;
    const domain = session.email.slice(session.email.lastIndexOf('@') + 1);
    const profile = magicLinkProfile(session.email, ctx.directory.organizationForDomain(domain)?.id ?? null);
    const code = ctx.grants.issueCode({ clientId: session.clientId, profile });
    res.redirect(302, withQuery(session.redirectUri, { code, state: session.state }));
  });

  return router;
}

function linkOf(ctx: EmulatorContext, session: Session): string {
  return `${ctx.baseUrl()}/passwordless/${session.token}/confirm`;
}

function sessionJson(ctx: EmulatorContext, session: Session): Record<string, unknown> {
  return { object: 'passwordless_session', id: session.id, email: session.email, expires_at: isoAt(session.expiresAt), link: linkOf(ctx, session) };
}
