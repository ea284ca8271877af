// The `password` login method: the password form of step 2 (POST login/ with a password, verified by the
// passport-local strategy), password reset by email and password change.
import { Router } from 'express';
import { defineMethod } from '../contract.ts';
import { passwordChangeRoutes } from './change.ts';
import { passwordConfigSchema } from './config.ts';
import { passwordLoginRoutes } from './login.ts';
import { PASSWORD_FAIL_REASONS, PASSWORD_MESSAGES } from './messages.ts';
import { passwordResetRoutes } from './reset.ts';
import { PASSWORD_RULES } from './rule.ts';
import { PASSWORD_STRATEGY, PasswordStrategy, type PasswordStrategyOptions } from './strategy.ts';

export const passwordMethod = defineMethod('password', PASSWORD_RULES, { messages: PASSWORD_MESSAGES, failReasons: PASSWORD_FAIL_REASONS, config: { key: 'password', schema: passwordConfigSchema } }, (ctx) => {
  ctx.passport.use(PASSWORD_STRATEGY, new PasswordStrategy(ctx, { partial: true }));
  return {
    routes: Router().use(passwordLoginRoutes(ctx), passwordResetRoutes(ctx), passwordChangeRoutes(ctx)),
    strategy: (options?: PasswordStrategyOptions) => new PasswordStrategy(ctx, options),
  };
});
