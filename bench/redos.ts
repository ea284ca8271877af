// ReDoS bench: the worst time one rule regex takes on a 320-character input (the login's input bound), for the
// patterns that stalled the old backtracking engine for seconds (issue 9) and for RE2's own slow cases (a large
// counted repetition whose automaton does not fit in the cache), against a plain literal pattern measured in the
// same run. Each pattern is compiled fresh, so its first match (which builds the automaton) is counted too.
// Run: npm run bench (section 3), or alone: npx tsx bench/redos.ts
import { MAX_REGEX_INPUT, compileRuleRegex, regexMatches } from '../src/core/regex.ts';

/** The backtracking worst cases of issue 9 (about 3 s, 3 s and over 10 s each on JS RegExp). */
const ISSUE_PATTERNS = ['^\\w+[\\w.]*[\\w.-]*[\\w.+-]*@corp\\.com$', '\\w*\\w*\\w*@corp\\.com$', '^.*\\w+.*\\w+.*@corp\\.com$'];
/** Other classic backtracking shapes, harmless on RE2. */
const CLASSIC = ['(a+)+$', '(a|aa)+$', '(.*a){20}'];
/** Shapes that are slow for an automaton: a state explosion, and big counted repetitions (large programs). */
const RE2_HARD = ['[a-q][^u-z]{13}x', '^[^@\\s]{1,64}@[^@\\s]{1,255}$', '(\\pL|\\pN|\\pP){1,300}!', '(?:\\pL|\\pN){1,999}(?:\\pL|\\pN){1,999}!'];
const BASELINE = 'corp\\.com';

/** Deterministic pseudo-random inputs (the bench prints the same kind of numbers on every run). */
function* adversarialInputs(count: number): Generator<string> {
  let seed = 0x9e3779b9;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const alphabets = ['a@', 'aä@.', 'abcdefghijklmnopqrstuvwxyz0123456789._-+@', 'aA0_.-@!ä€ '];
  yield `${'a'.repeat(MAX_REGEX_INPUT - 1)}@`;
  yield `${'a'.repeat(MAX_REGEX_INPUT - 10)}@corp.coX`;
  yield 'ä'.repeat(MAX_REGEX_INPUT);
  // The patterns' literal part present but the match still failing, so no literal prefilter can answer early.
  yield `${'a'.repeat(MAX_REGEX_INPUT - 11)}@corp.com!`;
  yield `${'a.'.repeat((MAX_REGEX_INPUT - 11) / 2)}a@corp.com.`;
  for (let i = 5; i < count; i++) {
    const alphabet = alphabets[i % alphabets.length]!;
    const text = Array.from({ length: MAX_REGEX_INPUT }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    // Every other one carries the literal somewhere inside.
    const at = Math.floor(next() * (MAX_REGEX_INPUT - 9));
    yield i % 2 ? text : `${text.slice(0, at)}@corp.com${text.slice(at + 9)}`;
  }
}

const INPUTS = [...adversarialInputs(200)];

const ROUNDS = 5;

/**
 * Runs every input once on a freshly compiled `pattern`, ROUNDS times over; per input it keeps the fastest
 * round (a garbage-collection pause or another process on the core is not the regex's doing), then reports
 * the first match (which builds the automaton: paid once per rule change) and the slowest and median of the rest.
 */
function measure(pattern: string): { first: number; worst: number; median: number } {
  const best = new Array<number>(INPUTS.length).fill(Infinity);
  for (let round = 0; round < ROUNDS; round++) {
    const compiled = compileRuleRegex(pattern);
    if (!compiled.ok) throw new Error(`${pattern} ${compiled.reason}`);
    INPUTS.forEach((input, i) => {
      const start = process.hrtime.bigint();
      regexMatches(compiled.regex, input);
      best[i] = Math.min(best[i]!, Number(process.hrtime.bigint() - start) / 1e6);
    });
  }
  const rest = best.slice(1).sort((a, b) => a - b);
  return { first: best[0]!, worst: rest[rest.length - 1]!, median: rest[rest.length >> 1]! };
}

export function redosBench(): void {
  console.log(`3. rule regex × ${INPUTS.length} adversarial inputs of ${MAX_REGEX_INPUT} characters, fresh compile (best of ${ROUNDS} rounds per input)`);
  // Warm the engine's own code up (JIT), as a running server has, so the first pattern is not charged for it.
  for (let i = 0; i < 5; i++) for (const p of [BASELINE, ...ISSUE_PATTERNS, ...CLASSIC]) measure(p);
  const baseline = measure(BASELINE);
  const base = Math.max(baseline.first, baseline.worst);
  const row = (label: string, m: ReturnType<typeof measure>) => {
    const worst = Math.max(m.first, m.worst);
    console.log(
      `  ${label.padEnd(46)} worst ${worst.toFixed(3).padStart(8)} ms (first match ${m.first.toFixed(3)}, others ≤ ${m.worst.toFixed(3)}, median ${m.median.toFixed(3)})  ratio ${(worst / base).toFixed(1)}`,
    );
    return worst;
  };
  row(`baseline: literal /${BASELINE}/`, baseline);
  let worstIssue = 0;
  for (const [title, patterns] of [['issue 9', ISSUE_PATTERNS], ['classic', CLASSIC], ['RE2-hard', RE2_HARD]] as const) {
    for (const p of patterns) {
      const worst = row(`${title}: /${p.length > 34 ? `${p.slice(0, 33)}…` : p}/`, measure(p));
      if (title === 'issue 9') worstIssue = Math.max(worstIssue, worst);
    }
  }
  console.log(`  worst case of the issue-9 patterns: ${worstIssue.toFixed(3)} ms, ${(worstIssue / base).toFixed(1)}× the literal (the old engine: seconds per match)`);
}

if (import.meta.url === `file://${process.argv[1]}`) redosBench();
