// The demo's MFA path as a person does it at `npm start`: mfa-user logs in with the password, sets up SMS,
// reads the code on the emulator's outbox page, saves the recovery codes and lands on the profile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkOSEmulator } from '../../src/emulator/index.ts';
import { csrfFrom } from '../../test/support/app.ts';
import { DEMO_PASSWORD } from './seed.ts';
import { post, startDemo, type Demo } from './test-support.ts';

let demo: Demo;
let emulator: WorkOSEmulator;
beforeAll(async () => {
  demo = await startDemo({ emulator: true });
  emulator = demo.emulator!;
});
afterAll(() => demo.close());

describe('example app: mfa-user', () => {
  it('enrolls SMS with the code from the emulator outbox page and logs in', async () => {
    const agent = demo.agent();
    const password = await post(agent, '/accounts/login/', { username: 'mfa-user', password: DEMO_PASSWORD });
    expect(password.headers.location).toBe('/accounts/enroll/');
    const choose = await agent.get('/accounts/enroll/');
    expect(choose.text).toContain('_emulator/outbox.html');
    expect((await post(agent, '/accounts/enroll-sms/', { action: 'enroll', phone_number: '+15005550006' })).status).toBe(303);

    const outbox = await fetch(`${emulator.url}/_emulator/outbox.html`);
    const html = await outbox.text();
    const code = /Your authentication code is (\d{6})/.exec(html)?.[1];
    expect(code).toMatch(/^\d{6}$/);

    const shown = await post(agent, '/accounts/enroll-sms/', { action: 'verify', code: code! });
    expect(shown.status).toBe(200);
    expect(shown.text.match(/<li><code>[A-Z2-7]{5}-[A-Z2-7]{5}<\/code><\/li>/g)).toHaveLength(10);
    const done = await agent.post('/accounts/recovery-codes/').type('form').send({ _csrf: csrfFrom(shown.text) });
    expect(done.headers.location).toBe('/accounts/profile/');
    const profile = await agent.get('/accounts/profile/');
    expect(profile.text).toContain('mfa@acme.test');
    // The profile links to the page where mfa-user sees (and may replace) the factor.
    expect(profile.text).toContain('<a href="/accounts/mfa/">Two-step verification</a>');
    const factor = await agent.get('/accounts/mfa/');
    expect(factor.text).toContain('Text messages to the phone number ending in <strong>0006</strong>');
    expect(factor.text).toContain('value="replace"');
  });
});
