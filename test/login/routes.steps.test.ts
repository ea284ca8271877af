// The two login steps and their query parameters: username prefill, start=true, next, unknown names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { PASSWORD, createTestApp, createUser, csrf, csrfFrom, passwordLogin, type TestApp } from '../support/app.ts';
import { MFA_RULE, mfaUser } from '../support/mfa.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'bob', password: PASSWORD });
  await createUser(t.prisma, { username: 'plain-user-x', password: PASSWORD });
  await mfaUser(t, 'grouped-user');
  const enrolled = await createUser(t.prisma, { username: 'enrolled-user', password: PASSWORD });
  await t.prisma.mfaFactor.create({ data: { userId: enrolled.id, workosFactorId: 'auth_factor_test_1', type: 'totp' } });
  await t.login.rules.create(MFA_RULE);
});
afterAll(() => t.close());

const hidden = (html: string, name: string) => new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html)?.[1];
const fieldValue = (html: string, name: string) => new RegExp(`<input id="id_${name}" name="${name}"[^>]*? value="([^"]*)"`).exec(html)?.[1];

describe('GET login/', () => {
  it('shows the username step', async () => {
    const res = await t.agent().get('/accounts/login/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<label for="id_username">Username or email</label>');
    expect(res.text).toContain('>Continue</button>');
    expect(res.text).not.toContain('name="password"');
    expect(hidden(res.text, 'next')).toBe('/accounts/profile/');
  });

  it('prefills the username from ?username=', async () => {
    const res = await t.agent().get('/accounts/login/?username=bob');
    expect(res.status).toBe(200);
    expect(fieldValue(res.text, 'username')).toBe('bob');
    expect(res.text).toContain('>Continue</button>');
    expect(res.text).not.toContain('name="password"');
  });

  it('goes straight to the password step with ?username=bob&start=true', async () => {
    const res = await t.agent().get('/accounts/login/?username=bob&start=true');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<label for="id_password">Password</label>');
    expect(res.text).toMatch(/<input id="id_username" name="username" type="text" value="bob"[^>]* readonly>/);
    expect(res.text).toContain('>Log in</button>');
  });

  it('ignores start when it is not exactly "true"', async () => {
    const res = await t.agent().get('/accounts/login/?username=bob&start=1');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('name="password"');
    expect(res.text).toContain('>Continue</button>');
  });
});

describe('POST login/ step 1', () => {
  it('asks again, with a message, when the username is blank', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: '   ' });
    expect(res.status).toBe(400);
    expect(res.text).toContain(LOGIN_MESSAGES.username_required);
    expect(res.text).not.toContain('name="password"');
  });

  it('keeps ?next= through both steps and goes there after login', async () => {
    const agent = t.agent();
    const page1 = await agent.get('/accounts/login/?next=/x');
    expect(hidden(page1.text, 'next')).toBe('/x');
    const token = csrfFrom(page1.text);
    const page2 = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'bob', next: hidden(page1.text, 'next') });
    expect(page2.status).toBe(200);
    expect(page2.text).toContain('name="password"');
    expect(hidden(page2.text, 'next')).toBe('/x');
    // The "Not bob?" link keeps next too.
    expect(page2.text).toContain('href="/accounts/login/?next=%2Fx"');
    const done = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'bob', password: PASSWORD, next: hidden(page2.text, 'next') });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/x');
  });

  it('keeps next with ?username=&start=true as well', async () => {
    const res = await t.agent().get('/accounts/login/?username=bob&start=true&next=%2Fprivate%3Fa%3D1');
    expect(res.status).toBe(200);
    expect(res.text).toContain('name="password"');
    expect(hidden(res.text, 'next')).toBe('/private?a=1');
  });

  it('trims the typed username', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: '  bob  ' });
    expect(res.status).toBe(200);
    expect(fieldValue(res.text, 'username')).toBe('bob');
  });
});

describe('step 2 reveals nothing about the account', () => {
  async function stepTwo(agent: ReturnType<TestApp['agent']>, token: string, username: string) {
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username, next: '/x' });
    return { status: res.status, type: res.headers['content-type'], body: res.text.split(username).join('«NAME»') };
  }

  it('gives an unknown username the same step 2 as a password user', async () => {
    // Threat (item 5): step 2 tells an attacker which usernames exist.
    const agent = t.agent();
    const token = await csrf(agent);
    const known = await stepTwo(agent, token, 'plain-user-x');
    const unknown = await stepTwo(agent, token, 'nobody-here-x');
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(unknown.type).toBe(known.type);
    expect(unknown.body).toBe(known.body);
    expect(unknown.body).toContain('name="password"');
    expect(unknown.body.toLowerCase()).not.toMatch(/not found|no such|does not exist|unknown user/);
  });

  it('gives the same step 2 for ?username=&start=true, known or unknown', async () => {
    // Threat (item 5): the start=true shortcut tells an attacker which usernames exist.
    const agent = t.agent();
    const known = await agent.get('/accounts/login/?username=plain-user-x&start=true');
    const unknown = await agent.get('/accounts/login/?username=nobody-here-x&start=true');
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(unknown.text.split('nobody-here-x').join('«NAME»')).toBe(known.text.split('plain-user-x').join('«NAME»'));
  });

  it('gives byte-identical step 2 to users who differ only by a group that selects an mfa rule', async () => {
    // Threat (item 7): step 2 reveals which accounts have MFA (per-user rule attributes).
    expect((await t.login.explain('grouped-user')).rule?.method).toBe('mfa');
    expect((await t.login.explain('plain-user-x')).rule?.method).toBe('password');
    const agent = t.agent();
    const token = await csrf(agent);
    const mfa = await stepTwo(agent, token, 'grouped-user');
    const plain = await stepTwo(agent, token, 'plain-user-x');
    expect(mfa.status).toBe(200);
    expect(plain.status).toBe(200);
    expect(mfa.type).toBe(plain.type);
    expect(mfa.body).toBe(plain.body);
    expect(mfa.body).toContain('name="password"');
  });
});

describe('step 2 and enrolled factors', () => {
  it('gives a user with an enrolled factor the same step 2 as one without', async () => {
    // Threat (item 7): step 2 reveals which accounts have enrolled MFA (has_mfa).
    const agent = t.agent();
    const token = await csrf(agent);
    const send = async (username: string) => {
      const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username });
      return { status: res.status, body: res.text.split(username).join('«NAME»') };
    };
    const enrolled = await send('enrolled-user');
    const plain = await send('plain-user-x');
    expect(enrolled.status).toBe(200);
    expect(enrolled).toEqual(plain);
  });
});

describe('logged-in visitors', () => {
  it('see who they are logged in as and a logout form', async () => {
    const agent = t.agent();
    expect((await passwordLogin(agent, 'bob', PASSWORD)).status).toBe(303);
    const res = await agent.get('/accounts/login/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('You are logged in as <strong>bob</strong>.');
    expect(res.text).toMatch(/<form method="post" action="\/accounts\/logout\/"><input type="hidden" name="_csrf" value="[^"]+">/);
    expect(res.text).toContain('>Log out</button>');
    expect(res.text).toContain('href="/accounts/profile/"');
    expect(res.text).not.toContain('name="password"');
  });

  it('are not sent to step 2 by ?start=true', async () => {
    const agent = t.agent();
    await passwordLogin(agent, 'bob', PASSWORD);
    const res = await agent.get('/accounts/login/?username=plain-user-x&start=true');
    expect(res.status).toBe(200);
    expect(res.text).toContain('You are logged in as <strong>bob</strong>.');
    expect(res.text).not.toContain('name="password"');
  });
});

describe('output escaping', () => {
  it('escapes a username typed at step 1 when step 2 shows it', async () => {
    // Threat (item 2): reflected XSS through the username echoed back in step 2.
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: '<script>alert(1)</script>' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(res.text).toContain('Not &lt;script&gt;alert(1)&lt;/script&gt;?');
    expect(res.text).not.toContain('<script>alert(1)');
  });

  it('escapes ?username= and ?next= on the first step', async () => {
    // Threat (item 2): reflected XSS through query parameters echoed into the form.
    const res = await t.agent().get('/accounts/login/?username=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&next=%2Fa%22%3E%3Csvg%3E');
    expect(res.status).toBe(200);
    expect(res.text).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    expect(hidden(res.text, 'next')).toBe('/a&quot;&gt;&lt;svg&gt;');
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).not.toContain('<svg>');
  });

  it('escapes the username echoed beside a failure message', async () => {
    // Threat (item 2): reflected XSS through the username kept in the form after a failed password.
    const agent = t.agent();
    const token = await csrf(agent);
    const res = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: '<b>x</b>', password: 'wrong' });
    expect(res.status).toBe(401);
    expect(res.text).toContain(`<p class="ewl-message ewl-message-error">${LOGIN_MESSAGES.invalid_credentials}</p>`);
    expect(res.text).toContain('value="&lt;b&gt;x&lt;/b&gt;"');
    expect(res.text).not.toContain('<b>x</b>');
  });
});

describe('domain-level rules for unknown addresses', () => {
  it('gives an unknown address in a magic-link domain the same step 2 as a real user there, and sends nothing', async () => {
    // Threat (items 5, 7): a domain routed to magic links answers "check your email" for real users but a password form for unknown ones.
    const m = await createTestApp({ config: { magicLink: { provider: 'local' } } });
    try {
      await m.login.rules.create({ name: 'Magic for magic.test', method: 'magic', priority: 20, emailRegex: '@magic\\.test$' });
      await createUser(m.prisma, { username: 'real@magic.test', email: 'real@magic.test', password: null });
      const step2 = async (username: string) => {
        const agent = m.agent();
        const token = await csrf(agent);
        return agent.post('/accounts/login/').type('form').send({ _csrf: token, username });
      };
      const real = await step2('real@magic.test');
      const ghost = await step2('ghost@magic.test');
      expect(real.status).toBe(303);
      expect(ghost.status).toBe(real.status);
      expect(ghost.headers.location).toBe(real.headers.location);
      expect(ghost.text).not.toContain('name="password"');
      await new Promise((r) => setImmediate(r));
      expect(m.events.of('sendMagicLink').map((e) => e.user.email)).toEqual(['real@magic.test']);
    } finally {
      await m.close();
    }
  });
});
