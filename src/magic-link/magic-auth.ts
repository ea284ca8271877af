// WorkOS Magic Auth provider: a six-digit code for the user's email (`userManagement.createMagicAuth`), typed on our
// code page and checked with `userManagement.authenticateWithMagicAuth`. The WorkOS (AuthKit) user is only the
// carrier of the code: the login is always the local user the rule matched. WorkOS emails the code unless
// `sendCustomEmail` (then the app's `sendMagicLink` listener does, from the event's `code`).
import type { Context } from '../context.ts';
import { sdkCode } from '../workos/client.ts';
import { codePageUrl, type MagicLinkProviderImpl } from './provider.ts';

/** Magic Auth signs people up, unless the WorkOS environment forbids it: then the carrier user is created first. */
const SIGN_UP_REFUSED = 'sign_up_not_allowed';

/** WorkOS's refusals of a code, as `rawData.code` of the SDK's exception (400). */
export type CodeRefusal = 'invalid_one_time_code' | 'one_time_code_expired' | 'one_time_code_previously_used';
const REFUSALS: readonly string[] = ['invalid_one_time_code', 'one_time_code_expired', 'one_time_code_previously_used'] satisfies CodeRefusal[];

/** The refusal an SDK error carries, or null for any other failure (network, 5xx, a bad key). */
export function codeRefusal(err: unknown): CodeRefusal | null {
  if (!err || typeof err !== 'object') return null;
  const raw = (err as { rawData?: unknown }).rawData;
  const code = raw && typeof raw === 'object' ? (raw as { code?: unknown }).code : (err as { code?: unknown }).code;
  return typeof code === 'string' && REFUSALS.includes(code) ? (code as CodeRefusal) : null;
}

/** `createUser` refused because the address has a WorkOS user already (400 `email_not_available`). */
function emailTaken(err: unknown): boolean {
  const errors = err && typeof err === 'object' ? (err as { errors?: unknown }).errors : undefined;
  return Array.isArray(errors) && errors.some((e: { code?: unknown }) => e?.code === 'email_not_available');
}

export function magicAuthProvider(ctx: Context): MagicLinkProviderImpl {
  const create = (email: string) =>
    ctx.workos.call(
      'userManagement.createMagicAuth',
      (sdk) => sdk.userManagement.createMagicAuth({ email }),
      (err) => sdkCode(err) === SIGN_UP_REFUSED,
    );
  return {
    name: 'workos-magic-auth',
    async issue({ req, user }) {
      const email = user.email.trim();
      let magicAuth;
      try {
        magicAuth = await create(email);
      } catch (err) {
        if (sdkCode(err) !== SIGN_UP_REFUSED) throw err;
        // The environment does not sign people up by Magic Auth: create the carrier user, then ask again. A user
        // created a moment ago by a parallel request is fine too (the second create is refused, the code is not).
        try {
          await ctx.workos.call('userManagement.createUser', (sdk) => sdk.userManagement.createUser({ email }), emailTaken);
        } catch (e) {
          if (!emailTaken(e)) throw e;
        }
        magicAuth = await ctx.workos.call('userManagement.createMagicAuth', (sdk) => sdk.userManagement.createMagicAuth({ email }));
      }
      return { kind: 'code', code: magicAuth.code, page: codePageUrl(ctx, req) };
    },
  };
}
