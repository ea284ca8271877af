// The built-in login methods, one module per folder. The router mounts these, then any a host adds.
import type { MethodModule } from './contract.ts';
import type { LoginMethod } from './login-methods.ts';
import { magicLinkMethod } from './magic-link/index.ts';
import { mfaMethod } from './mfa/index.ts';
import { passwordMethod } from './password/index.ts';
import { ssoMethod } from './sso/index.ts';

export const BUILTIN_METHODS = [passwordMethod, mfaMethod, magicLinkMethod, ssoMethod] as const satisfies readonly MethodModule[];

// `LOGIN_METHODS` (a leaf list, for types) must name exactly what the modules serve: a compile error otherwise.
type Served = (typeof BUILTIN_METHODS)[number] extends infer M ? (M extends { methods: infer R } ? keyof R & string : never) : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const listsAgree: Same<Served, LoginMethod> = true;
void listsAgree;
