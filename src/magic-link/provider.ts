// What a magic-link provider does: make a link for a user and return it with the nonce that binds it to the
// browser session that asked. The rule's behaviour is the same whichever provider makes the link.
import type { Request } from 'express';
import type { Context } from '../context.ts';
import type { LoginRule } from '../core/rules.ts';
import type { UserRow } from '../db/types.ts';
import type { MagicMethod, MagicProvider } from './state.ts';

export interface IssueInput {
  req: Request;
  user: UserRow;
  rule: LoginRule;
  method: MagicMethod;
  next: string;
}

export interface IssuedLink {
  kind: 'link';
  /** The URL the person opens; only the `sendMagicLink` payload ever carries it. */
  link: string;
  /** Kept in the session: WorkOS `state`, or the local token's hash. */
  nonce: string;
}

export interface IssuedCode {
  kind: 'code';
  /** The one-time code the person types; only the `sendMagicLink` payload ever carries it. */
  code: string;
  /** Where it is typed (this session's code page). */
  page: string;
}

export interface MagicLinkProviderImpl {
  readonly name: MagicProvider;
  issue(input: IssueInput): Promise<IssuedLink | IssuedCode>;
}

/** Where links land: `magicLink.callbackUrl`, else the configured base URL plus the mount path (never the Host header). */
export function magicCallbackUrl(ctx: Context, req: Request): string {
  return ctx.config.magicLink.callbackUrl ?? `${ctx.config.baseUrl}${req.baseUrl}/callback/magic/`;
}

/** The page where a Magic Auth code is typed (the "check your email" page of the mount). */
export function codePageUrl(ctx: Context, req: Request): string {
  return `${ctx.config.baseUrl}${req.baseUrl}/complete/`;
}
