// The shared login flow: after each step a method hands the login back here, `core/steps.ts` decides what comes
// next, and this runs it (the password form, a method's own step, a second step, or the final login).
import type { Request, Response } from 'express';
import type { MethodModule, MethodRuntime } from '../contract.ts';
import type { Context, KnownAttempt, LoginAttempt, LoginFlow } from '../context.ts';
import type { LoginRule, RuleCatalog } from '../core/rules.ts';
import { nextStep, owesSecondStep, type MethodSteps, type Passed } from '../core/steps.ts';
import type { UserFacts } from '../db/ports.ts';
import { LoginError } from '../errors.ts';
import { completeLogin } from '../http/auth.ts';

export type PasswordFormRenderer = (req: Request, res: Response, data: { username: string; next: string }) => void;

export class SharedLoginFlow implements LoginFlow {
  private readonly runtimes = new Map<string, MethodRuntime>();

  constructor(
    private readonly ctx: Context,
    private readonly catalog: RuleCatalog,
    private readonly passwordForm: PasswordFormRenderer,
  ) {}

  /** Makes a module's runtime the one that runs its methods' steps. */
  register(module: MethodModule, runtime: MethodRuntime): void {
    for (const method of Object.keys(module.methods)) this.runtimes.set(method, runtime);
  }

  steps(method: string): MethodSteps | null {
    return this.catalog.methods.get(method)?.steps ?? null;
  }

  async identified(attempt: LoginAttempt, res: Response): Promise<void> {
    const { rule } = attempt;
    const steps = rule ? this.steps(rule.method) : null;
    // A rule whose method no mounted module serves fails closed.
    if (rule && !steps) throw new LoginError('method_unavailable', 501);
    const step = nextStep(steps, 'identified', { hasMfa: false });
    if (step.kind === 'password') return this.passwordForm(attempt.req, res, { username: attempt.typed, next: attempt.next });
    const start = rule ? this.runtimes.get(rule.method)?.start : undefined;
    if (!start) throw new LoginError('method_unavailable', 501);
    await start(attempt, res);
  }

  async advance(attempt: KnownAttempt, passed: Exclude<Passed, 'identified'>, res: Response): Promise<void> {
    const { user, rule } = attempt;
    const steps = this.steps(rule.method);
    if (!steps) throw new LoginError('method_unavailable', 501);
    const step = nextStep(steps, passed, await this.ctx.users.facts(user));
    if (step.kind === 'second') {
      const run = this.runtimes.get(step.method)?.afterFirstFactor;
      if (!run) throw new LoginError('method_unavailable', 501);
      return run(attempt, res);
    }
    await completeLogin(this.ctx, attempt.req, res, user, rule, attempt.next);
  }

  owes(rule: LoginRule | null, method: string, facts: UserFacts): boolean {
    return !!rule && owesSecondStep(this.steps(rule.method), method, facts);
  }
}
