// The outbox in code, as JSON and as an HTML page, including that message text cannot inject markup.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, T0, hop, startDemo } from './support.ts';

let h: Harness;
beforeAll(async () => {
  h = await startDemo();
});
afterAll(() => h.emulator.close());

async function sms(phoneNumber: string, smsTemplate?: string) {
  const factor = await h.workos.mfa.enrollFactor({ type: 'sms', phoneNumber });
  await h.workos.mfa.challengeFactor({ authenticationFactorId: factor.id, ...(smsTemplate ? { smsTemplate } : {}) });
}

describe('outbox', () => {
  it('records SMS and email with id, kind, to, body, code/link and sentAt on the emulator clock', async () => {
    h.emulator.outbox.clear();
    await sms('+15005550001');
    const session = await h.workos.passwordless.createSession({ email: 'mia@example.org', type: 'MagicLink' });
    await h.workos.passwordless.sendSession(session.id);
    const [text, mail] = h.emulator.outbox.messages();
    expect(text).toEqual({ id: expect.stringMatching(/^msg_/), kind: 'sms', to: '+15005550001', body: expect.stringMatching(/^Your code is \d{6}$/), code: expect.any(String), sentAt: new Date(T0).toISOString() });
    expect(mail).toMatchObject({ kind: 'email', to: 'mia@example.org', link: session.link });
    expect(h.emulator.outbox.messages({ to: '+15005550001' })).toEqual([text]);
    expect(h.emulator.outbox.latest('nobody@example.org')).toBeUndefined();
  });

  it('GET /_emulator/outbox returns JSON, filtered by ?to=', async () => {
    await sms('+15005550002');
    const all = (await (await fetch(`${h.emulator.url}/_emulator/outbox`)).json()) as { data: { to: string }[] };
    expect(all.data.length).toBeGreaterThanOrEqual(2);
    const res = await fetch(`${h.emulator.url}/_emulator/outbox?to=${encodeURIComponent('+15005550002')}`);
    expect(res.headers.get('content-type')).toContain('application/json');
    const filtered = (await res.json()) as { data: { to: string; code: string }[] };
    expect(filtered.data).toEqual([expect.objectContaining({ to: '+15005550002', code: h.emulator.outbox.latest('+15005550002')!.code })]);
  });

  it('serves a readable HTML page (also by content negotiation) with clickable links and escaped text', async () => {
    // Threat: stored XSS through an app-supplied SMS template shown on the outbox page.
    await sms('+15005550003', '<script>alert(1)</script> code {{code}} see https://example.org/help?a=1&b=2');
    const page = await hop(`${h.emulator.url}/_emulator/outbox.html`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).toContain('<a href="https://example.org/help?a=1&amp;b=2">');
    expect(page.text).toContain(`<code class="otp">${h.emulator.outbox.latest('+15005550003')!.code}</code>`);
    const negotiated = await fetch(`${h.emulator.url}/_emulator/outbox`, { headers: { accept: 'text/html' } });
    expect(negotiated.headers.get('content-type')).toContain('text/html');
  });

  it('clear() and DELETE /_emulator/outbox empty it', async () => {
    await sms('+15005550004');
    h.emulator.outbox.clear();
    expect(h.emulator.outbox.messages()).toEqual([]);
    await sms('+15005550004');
    expect((await fetch(`${h.emulator.url}/_emulator/outbox`, { method: 'DELETE' })).status).toBe(204);
    expect(h.emulator.outbox.messages()).toEqual([]);
  });
});
