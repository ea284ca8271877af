// Local provider (no WorkOS): our own single-use, expiring, hashed-at-rest token in a link to our callback.
// The app delivers it from its `sendMagicLink` listener.
import type { Context } from '../context.ts';
import { magicCallbackUrl, type MagicLinkProviderImpl } from './provider.ts';
import type { MagicLinkTokens } from './tokens.ts';

export function localProvider(ctx: Context, tokens: MagicLinkTokens): MagicLinkProviderImpl {
  return {
    name: 'local',
    async issue({ req, user, rule, next }) {
      const { token, hash } = await tokens.issue(user.id, rule.id, next, ctx.config.magicLink.ttlSeconds);
      const url = new URL(magicCallbackUrl(ctx, req));
      url.searchParams.set('token', token);
      return { kind: 'link', link: url.toString(), nonce: hash };
    },
  };
}
