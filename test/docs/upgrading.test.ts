// docs/upgrading.md stays true: the list of moved keys is MOVED_KEYS, old keys work with one warning (and clash with
// their new ones), the error codes are the real ones and the switch example runs, the logged-in user lives under the
// library's own session key (a 0.1 session is not logged in), and LOGIN_FAIL_REASONS has the reasons of 0.1 (plus code_invalid).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, MOVED_KEYS, parseConfig } from '../../src/config.ts';
import { ConfigError, isWorkosLoginError, LoginError, LOGIN_FAIL_REASONS, RuleValidationError, WorkosLoginError } from '../../src/index.ts';
import { createTestApp, createUser, isLoggedIn, PASSWORD, passwordLogin, type TestApp } from '../support/app.ts';
import { DOC_FILES, docBlocks, docSection, docText, FAKE_PRISMA, isSliceOf } from './support.ts';

const doc = docText('docs/upgrading.md');

function describeError(err: unknown): string {
  if (!isWorkosLoginError(err)) throw err;
  switch (err.code) {
    case 'config_invalid':
      return `bad config: ${err.issues.join('; ')}`;
    case 'rule_invalid':
      return `bad rule: ${err.issues.map((issue) => issue.path).join(', ')}`;
    default:
      return `${err.code} (HTTP ${err.status}): ${err.message}`;
  }
}

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
};

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    routes: (app) => {
      // What 0.1 left in a session after a login: the user under Passport's key.
      app.get('/test/session-from-0.1', (req, res, next) => {
        (req.session as unknown as Record<string, unknown>).passport = { user: { id: Number(req.query.id), v: 0 } };
        req.session.save((err) => (err ? next(err) : res.send('ok')));
      });
    },
  });
});
afterAll(() => t.close());

describe('docs/upgrading.md', () => {
  it('lists exactly the key moves of MOVED_KEYS, in order', () => {
    const list = /<!-- config-moves -->\n([\s\S]*?)\n<!-- \/config-moves -->/.exec(doc)![1]!;
    expect(list.split('\n')).toEqual(MOVED_KEYS.map(([from, to]) => `- \`${from}\` → \`${to}\``));
  });

  it('no other page names a moved key by its old name', () => {
    const old = [...MOVED_KEYS.map(([from]) => from), 'callbackUrls'];
    const named = DOC_FILES.filter((f) => f !== 'docs/upgrading.md').flatMap((file) =>
      [...docText(file).matchAll(/`([\w.]+)/g)].filter((m) => old.some((key) => m[1] === key || m[1]!.startsWith(`${key}.`))).map((m) => `${file}: ${m[0]}`),
    );
    expect(named).toEqual([]);
  });

  it('old keys still work, with one warning naming every move; an old key with its new one is refused', () => {
    const warnings: string[] = [];
    const logger = { info() {}, warn: (m: string) => void warnings.push(m), error() {} };
    const config = parseConfig(
      {
        prisma: FAKE_PRISMA,
        baseUrl: 'https://app.example.com',
        logger,
        bcryptCost: 11,
        passwordMinLength: 12,
        passwordResetTtlSeconds: 600,
        rateLimit: { passwordReset: { points: 3, durationSeconds: 60 } },
        smsMfaTemplate: 'Code: {{code}}',
        sendCustomEmail: true,
        callbackUrls: { magic: 'https://app.example.com/m/', sso: 'https://app.example.com/s/' },
        autoUpdate: false,
        jitUsername: 'idp_id',
      },
      {},
    );
    expect(config.password).toEqual({ bcryptCost: 11, minLength: 12, resetTtlSeconds: 600, resetLimit: { points: 3, durationSeconds: 60 } });
    expect(config.mfa.smsTemplate).toBe('Code: {{code}}');
    expect(config.magicLink).toMatchObject({ sendCustomEmail: true, callbackUrl: 'https://app.example.com/m/' });
    expect(config.sso).toMatchObject({ autoUpdate: false, jitUsername: 'idp_id', callbackUrl: 'https://app.example.com/s/' });
    expect(warnings).toHaveLength(1);
    for (const [from, to] of MOVED_KEYS) expect(warnings[0]).toContain(`${from} → ${to}`);
    expect(warnings[0]).toContain('docs/upgrading.md');

    const clash = thrown(() => parseConfig({ prisma: FAKE_PRISMA, baseUrl: 'https://app.example.com', bcryptCost: 11, password: { bcryptCost: 12 } }, {}));
    expect(clash).toBeInstanceOf(ConfigError);
    expect((clash as ConfigError).issues).toEqual(['bcryptCost: moved to password.bcryptCost; give only password.bcryptCost']);
    expect(doc).toContain('Giving an old key together with its new one (say `bcryptCost` and `password.bcryptCost`)');
    expect(Object.keys(configSchema.shape)).not.toContain('callbackUrls');
  });

  it('the error codes are the real ones, one family, and the switch example runs as shown', async () => {
    expect(docBlocks('docs/upgrading.md').filter((b) => b.lang === 'ts').map((b) => isSliceOf(b, 'test/docs/upgrading.test.ts'))).toEqual([true]);
    const table = docSection('docs/upgrading.md', 'One error family');
    const config = thrown(() => parseConfig({ prisma: FAKE_PRISMA, baseUrl: 'ftp://x' }, {}));
    const rule = await t.login.rules.create({ name: '', method: 'password', priority: 1 }).catch((err: unknown) => err);
    const runtime = new LoginError('throttled', 429);
    expect(table).toContain(`| \`ConfigError\` (a bad config, at start-up) | \`${(config as ConfigError).code}\` | \`ERR_WORKOS_LOGIN_CONFIG\` |`);
    expect(table).toContain(`| \`RuleValidationError\` (a rule refused by \`login.rules\`) | \`${(rule as RuleValidationError).code}\` | \`ERR_LOGIN_RULE_INVALID\` |`);
    for (const err of [config, rule, runtime]) expect(err).toBeInstanceOf(WorkosLoginError);
    expect(config).not.toBeInstanceOf(TypeError);

    expect(describeError(config)).toMatch(/^bad config: baseUrl: /);
    expect(describeError(rule)).toBe('bad rule: name, emailRegex');
    expect(describeError(runtime)).toBe('throttled (HTTP 429): Too many failed attempts. Please wait a few minutes and try again.');
    expect(() => describeError(new Error('other'))).toThrow('other');
  });

  it("the logged-in user lives under the library's own key; a session from 0.1 is not logged in", async () => {
    const user = await createUser(t.prisma, { username: 'ula' });
    const agent = t.agent();
    await passwordLogin(agent, 'ula', PASSWORD);
    expect(await isLoggedIn(agent)).toBe(true);
    const sessions = Object.values(await new Promise<Record<string, unknown>>((resolve, reject) => t.store.all((err, all) => (err ? reject(err) : resolve(all as Record<string, unknown>)))));
    const mine = sessions.map((s) => (typeof s === 'string' ? JSON.parse(s) : s) as Record<string, { user?: unknown }>).find((s) => s.workosLogin?.user);
    expect(mine?.workosLogin?.user).toEqual({ id: user.id, v: 0 });
    expect(mine).not.toHaveProperty('passport');
    expect(doc).toContain('`req.session.workosLogin.user`');

    const old = t.agent();
    expect((await old.get(`/test/session-from-0.1?id=${user.id}`)).text).toBe('ok');
    expect(await isLoggedIn(old)).toBe(false);
  });

  it('LOGIN_FAIL_REASONS explains every reason, and they are the reasons of 0.1 plus the ones the page names', () => {
    const reasons0_1 = ['invalid_credentials', 'throttled', 'method_not_allowed', 'no_rule', 'second_factor_failed', 'link_invalid', 'sso_state_invalid', 'sso_idp_error', 'sso_code_invalid', 'sso_profile_mismatch', 'sso_email_mismatch', 'sso_not_provisioned', 'sso_idp_initiated_disabled', 'sso_account_disabled', 'sso_identity_conflict'];
    const added = ['sso_link_refused', 'code_invalid', 'sso_callback_throttled'];
    expect(Object.keys(LOGIN_FAIL_REASONS).sort()).toEqual([...reasons0_1, ...added].sort());
    for (const reason of added) expect(docSection('docs/upgrading.md', '`loginFailed` reasons')).toContain(`\`${reason}\``);
    for (const meaning of Object.values(LOGIN_FAIL_REASONS)) expect(meaning.length).toBeGreaterThan(10);
  });
});
