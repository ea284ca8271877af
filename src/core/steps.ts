// Which step of a login comes next: password → second factor → link → done. Pure: each method folder
// declares how its rules log in (`MethodSteps`), and every route asks this one function what follows.

/** How a rule method logs a person in, as its method module declares it. */
export interface MethodSteps {
  /** The first factor: the shared password form, or the method's own step 2 (a link, an IdP, a code). */
  readonly first: 'password' | 'own';
  /** A step this method always owes after the first factor (`mfa`: a code; `email_mfa`: a link), named by the rule method whose module runs it. */
  readonly second?: string;
  /**
   * Whether a user who enrolled an MFA factor must also pass it. False where the IdP owns MFA (SSO) or the
   * method's own second step stands in for it (email_mfa).
   */
  readonly factorBinds: boolean;
}

/** The rule method whose module runs the "enrolled factor" step. */
export const FACTOR_STEP = 'mfa';

/** What the person has done so far in this login. */
export type Passed = 'identified' | 'first' | 'second';

export type NextStep =
  /** Show the shared password form (also for unknown names and users without a rule: the answer never reveals which). */
  | { readonly kind: 'password' }
  /** Run the rule method's own step 2. */
  | { readonly kind: 'start' }
  /** Hand the login to `method`'s second-step hook. */
  | { readonly kind: 'second'; readonly method: string }
  | { readonly kind: 'done' };

const PASSWORD: NextStep = Object.freeze({ kind: 'password' });
const START: NextStep = Object.freeze({ kind: 'start' });
const DONE: NextStep = Object.freeze({ kind: 'done' });

/**
 * The next step for a login under a rule whose method logs in as `steps` (null: no rule, or an unknown name).
 * `hasMfa`: the user has an enrolled factor.
 */
export function nextStep(steps: MethodSteps | null, passed: Passed, facts: { readonly hasMfa: boolean }): NextStep {
  if (passed === 'identified') return !steps || steps.first === 'password' ? PASSWORD : START;
  if (passed === 'second' || !steps) return DONE;
  if (steps.second) return { kind: 'second', method: steps.second };
  return steps.factorBinds && facts.hasMfa ? { kind: 'second', method: FACTOR_STEP } : DONE;
}

/** Whether the login is (still) owed `method`'s second step: e.g. the MFA pages re-check this on every request. */
export function owesSecondStep(steps: MethodSteps | null, method: string, facts: { readonly hasMfa: boolean }): boolean {
  const next = nextStep(steps, 'first', facts);
  return next.kind === 'second' && next.method === method;
}
