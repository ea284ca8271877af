// WorkOS provider: a passwordless session for the user's email with our callback and a session-bound random state.
// WorkOS emails the link unless `sendCustomEmail` is true (then the app's `sendMagicLink` listener does).
import { randomBytes } from 'node:crypto';
import type { Context } from '../context.ts';
import { magicCallbackUrl, type MagicLinkProviderImpl } from './provider.ts';

/** WorkOS refuses shorter sessions; the session-bound state (magicLink.ttlSeconds) cuts the usable life shorter. */
export const WORKOS_MIN_EXPIRES_IN = 900;

export function workosProvider(ctx: Context): MagicLinkProviderImpl {
  return {
    name: 'workos',
    async issue({ req, user }) {
      const state = randomBytes(32).toString('base64url');
      const session = await ctx.workos.call('passwordless.createSession', (sdk) =>
        sdk.passwordless.createSession({ email: user.email, type: 'MagicLink', redirectURI: magicCallbackUrl(ctx, req), state, expiresIn: WORKOS_MIN_EXPIRES_IN }),
      );
      if (!ctx.config.magicLink.sendCustomEmail) {
        await ctx.workos.call('passwordless.sendSession', (sdk) => sdk.passwordless.sendSession(session.id));
      }
      return { kind: 'link', link: session.link, nonce: state };
    },
  };
}
