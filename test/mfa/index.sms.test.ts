// SMS: enrollment (E.164 phone number, texted code), later logins with an explicit "Send code", the SMS
// template, send limits and expired challenges. Codes are read from the emulator's outbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_MESSAGES } from '../../src/index.ts';
import { createTestApp, isLoggedIn, postForm, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, recoveryCodesIn, smsCode, startMfaLogin } from '../support/mfa.ts';

const fieldValue = (html: string, name: string) => new RegExp(`<input id="id_${name}" name="${name}"[^>]*? value="([^"]*)"`).exec(html)?.[1];

let t: WorkosTestApp;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE], config: { mfa: { pendingTtlSeconds: 1800 } } });
});
afterAll(() => t.close());

describe('SMS enrollment', () => {
  it('asks for a phone number, texts a code, and saves the factor with the number only after the code verifies', async () => {
    const { user, agent } = await startMfaLogin(t, 'sam');
    const form = await agent.get('/accounts/enroll-sms/');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<label for="id_phone_number">Mobile phone number</label>');
    expect(form.text).toContain('type="tel"');

    const sent = await postForm(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+1 (500) 555-0006' });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe('/accounts/enroll-sms/');
    const message = t.emulator.outbox.latest('+15005550006');
    expect(message?.body).toBe(`Your authentication code is ${message?.code}`);
    const page = await agent.get('/accounts/enroll-sms/');
    expect(page.text).toContain('We sent a code by text message.');
    expect(page.text).toContain('Enter the code we sent to <strong>+15005550006</strong>.');
    expect(await t.prisma.mfaFactor.count({ where: { userId: user.id } })).toBe(0);

    const shown = await postForm(agent, '/accounts/enroll-sms/', { action: 'verify', code: smsCode(t, '+15005550006') });
    expect(shown.status).toBe(200);
    expect(recoveryCodesIn(shown.text)).toHaveLength(10);
    expect(await t.prisma.mfaFactor.findMany({ where: { userId: user.id }, select: { type: true, phoneNumber: true } })).toEqual([
      { type: 'sms', phoneNumber: '+15005550006' },
    ]);
    expect(t.events.of('mfaEnrolled').at(-1)).toMatchObject({ user: { username: 'sam' }, factor: { type: 'sms' } });
  });

  it('refuses a number that is not E.164 with a message, keeping what was typed, and sends nothing', async () => {
    const { agent } = await startMfaLogin(t, 'sid');
    const before = t.emulator.outbox.messages().length;
    for (const typed of ['555-0100', '0044 20 7946 0000', '+0123456789', 'call me']) {
      const res = await postForm(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: typed });
      expect(res.status).toBe(400);
      expect(res.text).toContain(LOGIN_MESSAGES.mfa_phone_invalid);
      expect(fieldValue(res.text, 'phone_number')).toBe(typed);
    }
    expect(t.emulator.outbox.messages().length).toBe(before);
  });

  it('shows WorkOS refusing the number (422) on the form, keeping the typed number', async () => {
    const { agent } = await startMfaLogin(t, 'sue');
    t.emulator.faults.inject({ path: '/auth/factors/enroll', status: 422, body: { code: 'invalid_phone_number', message: 'Phone number is invalid.' } });
    const res = await postForm(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550009' });
    expect(res.status).toBe(400);
    expect(res.text).toContain(LOGIN_MESSAGES.mfa_phone_rejected);
    expect(fieldValue(res.text, 'phone_number')).toBe('+15005550009');
    expect(t.emulator.outbox.latest('+15005550009')).toBeUndefined();
  });

  it('"Use a different number" starts over', async () => {
    const { agent } = await startMfaLogin(t, 'seth');
    await postForm(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550011' });
    const restart = await postForm(agent, '/accounts/enroll-sms/', { action: 'restart' });
    expect(restart.status).toBe(303);
    const page = await agent.get('/accounts/enroll-sms/');
    expect(page.text).toContain('name="phone_number"');
    const stale = await postForm(agent, '/accounts/enroll-sms/', { action: 'verify', code: smsCode(t, '+15005550011') });
    expect(stale.status).toBe(400);
    expect(stale.text).toContain(LOGIN_MESSAGES.mfa_no_enrollment);
  });
});

describe('SMS verification at a later login', () => {
  it('sends nothing on page load; "Send code" texts a code that logs in', async () => {
    const { agent, location } = await startMfaLogin(t, 'sky', { enrolled: { factor: 'sms', phone: '+15005550020' } });
    expect(location).toBe('/accounts/verify/');
    const count = t.emulator.outbox.messages({ to: '+15005550020' }).length;
    const page = await agent.get('/accounts/verify/');
    await agent.get('/accounts/verify/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('We will text a code to your phone number ending in <strong>0020</strong>.');
    expect(page.text).toContain('>Send code</button>');
    expect(page.text).not.toContain('+15005550020');
    expect(t.emulator.outbox.messages({ to: '+15005550020' }).length).toBe(count);

    const send = await postForm(agent, '/accounts/verify/', { action: 'send' });
    expect(send.status).toBe(303);
    expect(send.headers.location).toBe('/accounts/verify/');
    expect(t.emulator.outbox.messages({ to: '+15005550020' }).length).toBe(count + 1);
    const codePage = await agent.get('/accounts/verify/');
    expect(codePage.text).toContain('Enter the code we sent to your phone number ending in <strong>0020</strong>.');
    expect(codePage.text).toContain('>Send a new code</button>');

    const ok = await postForm(agent, '/accounts/verify/', { code: smsCode(t, '+15005550020') });
    expect(ok.status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
  });

  it('asks to send a code first when a code is posted before any was sent', async () => {
    const { agent } = await startMfaLogin(t, 'sol', { enrolled: { factor: 'sms', phone: '+15005550021' } });
    const res = await postForm(agent, '/accounts/verify/', { code: smsCode(t, '+15005550021') });
    expect(res.status).toBe(400);
    expect(res.text).toContain(LOGIN_MESSAGES.mfa_send_first);
    expect(await isLoggedIn(agent)).toBe(false);
  });

  it('a new code replaces the previous one', async () => {
    const { agent } = await startMfaLogin(t, 'sage', { enrolled: { factor: 'sms', phone: '+15005550022' } });
    await postForm(agent, '/accounts/verify/', { action: 'send' });
    const first = smsCode(t, '+15005550022');
    await postForm(agent, '/accounts/verify/', { action: 'send' });
    const second = smsCode(t, '+15005550022');
    if (first !== second) {
      const old = await postForm(agent, '/accounts/verify/', { code: first });
      expect(old.status).toBe(401);
      expect(old.text).toContain(LOGIN_MESSAGES.mfa_code_invalid);
    }
    const ok = await postForm(agent, '/accounts/verify/', { code: second });
    expect(ok.status).toBe(303);
  });

  it('an expired code says so and offers a new one, which works', async () => {
    const { agent } = await startMfaLogin(t, 'stan', { enrolled: { factor: 'sms', phone: '+15005550023' } });
    await postForm(agent, '/accounts/verify/', { action: 'send' });
    const code = smsCode(t, '+15005550023');
    t.clock.advance(11 * 60_000);
    const expired = await postForm(agent, '/accounts/verify/', { code });
    expect(expired.status).toBe(400);
    expect(expired.text).toContain(LOGIN_MESSAGES.mfa_challenge_expired);
    expect(expired.text).toContain('>Send code</button>');
    await postForm(agent, '/accounts/verify/', { action: 'send' });
    const ok = await postForm(agent, '/accounts/verify/', { code: smsCode(t, '+15005550023') });
    expect(ok.status).toBe(303);
    expect(await isLoggedIn(agent)).toBe(true);
  });
});

describe('SMS template', () => {
  it('uses the configured string', async () => {
    const app = await createTestApp({ emulator: true, rules: [MFA_RULE], config: { mfa: { smsTemplate: 'Acme: your login code is {{code}}. Never share it.' } } });
    try {
      const { agent } = await startMfaLogin(app, 'tara');
      await postForm(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550030' });
      const message = app.emulator.outbox.latest('+15005550030');
      expect(message?.body).toBe(`Acme: your login code is ${message?.code}. Never share it.`);
    } finally {
      await app.close();
    }
  });

  it('calls the configured function with the user', async () => {
    const app = await createTestApp({ emulator: true, rules: [MFA_RULE], config: { mfa: { smsTemplate: (user) => `Hi ${user.firstName}, your Acme code is {{code}}` } } });
    try {
      const { agent } = await startMfaLogin(app, 'ursula', { user: { firstName: 'Ursula' }, enrolled: { factor: 'sms', phone: '+15005550031' } });
      await postForm(agent, '/accounts/verify/', { action: 'send' });
      const message = app.emulator.outbox.latest('+15005550031');
      expect(message?.body).toBe(`Hi Ursula, your Acme code is ${message?.code}`);
    } finally {
      await app.close();
    }
  });
});
