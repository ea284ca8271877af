// Every MFA page: labelled fields, one h1, no script (usable without JavaScript), never cached or framed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, postForm, type WorkosTestApp } from '../support/app.ts';
import { MFA_RULE, startMfaLogin, totpCode } from '../support/mfa.ts';

let t: WorkosTestApp;
beforeAll(async () => {
  t = await createTestApp({ emulator: true, rules: [MFA_RULE] });
});
afterAll(() => t.close());

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

function checkPage(res: { status: number; text: string; headers: Record<string, string> }, title: string) {
  const html = res.text;
  expect(res.status).toBe(200);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(html).toMatch(/^<!doctype html>\s*<html lang="en">/i);
  expect(html).toContain(`<title>${title}</title>`);
  expect(html.match(/<h1[\s>]/g)).toHaveLength(1);
  expect(html).not.toMatch(/<script\b/i);
  const labels = [...html.matchAll(/<label\b[^>]*>/g)].map((m) => attr(m[0], 'for'));
  const inputs = [...html.matchAll(/<(input|select|textarea)\b[^>]*>/g)].map((m) => m[0]).filter((tag) => attr(tag, 'type') !== 'hidden');
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  expect(new Set(ids).size).toBe(ids.length);
  for (const input of inputs) expect(labels, `no label for ${input}`).toContain(attr(input, 'id'));
  for (const button of html.matchAll(/<button\b[^>]*>([^<]*)<\/button>/g)) expect(button[1]!.trim()).not.toBe('');
  for (const img of html.matchAll(/<img\b[^>]*>/g)) expect(attr(img[0], 'alt')).toBeTruthy();
  // Every form posts with this session's CSRF token.
  const forms = html.match(/<form method="post"/g)?.length ?? 0;
  expect(html.match(/name="_csrf"/g)?.length ?? 0).toBe(forms);
  return inputs;
}

describe('MFA pages', () => {
  it('enrollment pages', async () => {
    const { agent } = await startMfaLogin(t, 'abe');
    checkPage(await agent.get('/accounts/enroll/'), 'Set up two-step verification');
    const start = checkPage(await agent.get('/accounts/enroll-totp/'), 'Set up an authenticator app');
    expect(start).toHaveLength(0);
    await postForm(agent, '/accounts/enroll-totp/', { action: 'start' });
    const qr = checkPage(await agent.get('/accounts/enroll-totp/'), 'Set up an authenticator app');
    expect(qr.map((i) => attr(i, 'autocomplete'))).toEqual(['one-time-code']);
    expect(qr[0]).toContain('inputmode="numeric"');
    const phone = checkPage(await agent.get('/accounts/enroll-sms/'), 'Set up text message codes');
    expect(phone.map((i) => attr(i, 'autocomplete'))).toEqual(['tel']);
    expect(phone[0]).toContain('aria-describedby="id_phone_number_hint"');
    await postForm(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550100' });
    const code = checkPage(await agent.get('/accounts/enroll-sms/'), 'Set up text message codes');
    expect(code.map((i) => attr(i, 'name'))).toEqual(['code']);
  });

  it('verify pages and the recovery-codes page', async () => {
    const { agent } = await startMfaLogin(t, 'bo');
    await postForm(agent, '/accounts/enroll-totp/', { action: 'start' }, '/accounts/enroll/');
    const page = await agent.get('/accounts/enroll-totp/');
    const secret = /<code class="ewl-secret">([A-Z2-7 ]+)<\/code>/.exec(page.text)![1]!.replace(/ /g, '');
    const shown = await postForm(agent, '/accounts/enroll-totp/', { action: 'verify', code: totpCode(t, secret) });
    checkPage(shown, 'Save your recovery codes');
    checkPage(await agent.get('/accounts/recovery-codes/'), 'Save your recovery codes');
    await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(shown.text) });

    const { agent: totp } = await startMfaLogin(t, 'cy', { enrolled: { factor: 'totp' } });
    const inputs = checkPage(await totp.get('/accounts/verify/'), 'Two-step verification');
    expect(inputs.map((i) => attr(i, 'name'))).toEqual(['code', 'recovery_code']);

    const { agent: sms } = await startMfaLogin(t, 'di', { enrolled: { factor: 'sms', phone: '+15005550101' } });
    expect(checkPage(await sms.get('/accounts/verify/'), 'Two-step verification').map((i) => attr(i, 'name'))).toEqual(['recovery_code']);
    await postForm(sms, '/accounts/verify/', { action: 'send' });
    expect(checkPage(await sms.get('/accounts/verify/'), 'Two-step verification').map((i) => attr(i, 'name'))).toEqual(['code', 'recovery_code']);
  });
});
