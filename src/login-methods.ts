// The names of the built-in rule methods. A leaf module, so that types naming a method (events, rules) import
// no method folder; src/methods.ts checks at compile time that the modules serve exactly these.

export const LOGIN_METHODS = ['password', 'mfa', 'email_mfa', 'magic', 'sso', 'GoogleOAuth', 'MicrosoftOAuth'] as const;

/** A rule method the built-in modules serve. */
export type LoginMethod = (typeof LOGIN_METHODS)[number];

/** A rule's method: a built-in one, or one a host's own module serves. */
export type RuleMethod = LoginMethod | (string & {});
