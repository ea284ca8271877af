// IdP-initiated SSO: a page listing every connection's users; choosing one sends the browser to the
// client's default redirect URI with a code and no state, which the app's callback must cope with.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import { idpInitiatedPage, messagePage } from './pages.ts';
import { oauthTokensFor } from './oauth-tokens.ts';
import { profileFor } from './profile.ts';
import { defaultRedirectUri, withQuery } from './redirect-uris.ts';

const launchQuery = z.object({ client_id: z.string().optional() });
const launchForm = z.object({ client_id: z.string().optional(), connection_id: z.string(), idp_id: z.string() });

export function idpInitiatedRoutes(ctx: EmulatorContext): Router {
  const router = Router();

  const clientFor = (clientId: string | undefined) => (clientId ? ctx.directory.client(clientId) : ctx.directory.clients()[0]);

  router.get('/_emulator/idp', (req: Request, res: Response) => {
    const query = launchQuery.safeParse(req.query);
    const client = query.success ? clientFor(query.data.client_id) : undefined;
    if (!client) return res.status(400).type('html').send(messagePage('Unknown client', 'No client with that client_id.'));
    res.type('html').send(idpInitiatedPage(client, defaultRedirectUri(client.redirectUris), ctx.directory.connections()));
  });

  router.post('/_emulator/idp', (req: Request, res: Response) => {
    const form = launchForm.safeParse(req.body ?? {});
    const client = form.success ? clientFor(form.data.client_id) : undefined;
    const connection = form.success ? ctx.directory.connection(form.data.connection_id) : undefined;
    const user = form.success && connection ? ctx.directory.findUser(connection.id, form.data.idp_id) : undefined;
    if (!client || !connection || !user) {
      return res.status(400).type('html').send(messagePage('Cannot sign in', 'Unknown client, connection or user.'));
    }
    const redirectUri = defaultRedirectUri(client.redirectUris);
    if (!redirectUri) {
      const text = `Client ${client.clientId} has no default redirect URI (one without "*") for IdP-initiated sign-in.`;
      return res.status(400).type('html').send(messagePage('No default redirect URI', text));
    }
    const code = ctx.grants.issueCode({
      clientId: client.clientId,
      profile: profileFor(connection, user),
      oauthTokens: oauthTokensFor(connection, [], ctx.clock.now()),
    });
    res.redirect(302, withQuery(redirectUri, { code }));
  });

  return router;
}
