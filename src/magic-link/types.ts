// The magic-link strategy's public types, apart from its class: the class's declaration needs passport-strategy's
// types, which hosts need not install.
import type { AuthStrategy } from '../contract.ts';

export interface MagicLinkStrategyOptions {
  /** Succeed even when the rule owes another step after the link (the router runs that step). */
  partial?: boolean;
}

/** The confirmation POST of a magic link as a Passport strategy (`login.strategies.magicLink()`). */
export interface MagicLinkStrategy extends AuthStrategy {}
