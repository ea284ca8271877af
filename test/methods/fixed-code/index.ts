// A test-only login method, written against the method contract alone: rules of method `fixed_code` log in by
// typing a fixed code instead of a password. It proves that a method is one folder plus one entry in the module
// list (here `workosLogin(config, { methods: [fixedCodeMethod(code)] })`): rule validation, step 2, the step
// order after it (an enrolled MFA factor still binds), its messages and its page all come from this object.
import { fileURLToPath } from 'node:url';
import { Router, type Request } from 'express';
import type { MethodModule } from '../../../src/contract.ts';

declare module 'express-session' {
  interface SessionData {
    fixedCode?: { typed: string; next: string };
  }
}

export const FIXED_CODE_MESSAGES = {
  fixed_code_wrong: 'That is not the code. Please try again.',
  fixed_code_missing: 'Start at the login page.',
} as const;

export function fixedCodeMethod(code: string): MethodModule {
  return {
    name: 'fixed-code',
    methods: {
      fixed_code: {
        steps: { first: 'own', factorBinds: true },
        check(rule, issue) {
          if (!rule.emailRegex) issue('emailRegex', 'the fixed_code method targets users by email regex only');
        },
      },
    },
    ruleFields: {},
    messages: FIXED_CODE_MESSAGES,
    failReasons: { fixed_code_wrong: 'A wrong fixed code.' },
    views: fileURLToPath(new URL('./views', import.meta.url)),
    setup(ctx) {
      const render = (req: Request, res: Parameters<Parameters<Router['post']>[1]>[1], status = 200, error?: string) =>
        ctx.renderer.render(req, res, 'fixed_code', { action: `${req.baseUrl}/fixed-code/` }, { status, messages: error ? [{ level: 'error', text: error }] : [] });
      const routes = Router().post('/fixed-code', async (req, res) => {
        const pending = req.session.fixedCode;
        if (!pending) return render(req, res, 400, FIXED_CODE_MESSAGES.fixed_code_missing);
        // Resolved again on the server: the rule decides, not the form.
        const user = await ctx.users.findForLogin(pending.typed);
        const { rule } = await ctx.rules.resolve(user, pending.typed);
        if (!user || rule?.method !== 'fixed_code' || (req.body as { code?: unknown }).code !== code) return render(req, res, 401, FIXED_CODE_MESSAGES.fixed_code_wrong);
        delete req.session.fixedCode;
        await ctx.flow.advance({ req, typed: pending.typed, user, rule, next: pending.next }, 'first', res);
      });
      return {
        routes,
        async start(attempt, res) {
          attempt.req.session.fixedCode = { typed: attempt.typed, next: attempt.next };
          render(attempt.req, res);
        },
      };
    },
  };
}
