// The reset form is rate limited per address: past the limit nothing is sent and the answer does not change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, type TestApp } from '../support/app.ts';
import { linksFor, requestReset } from './support.ts';

const POINTS = 2;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ config: { password: { resetLimit: { points: POINTS, durationSeconds: 3600 } } } });
});
afterAll(() => t.close());

describe('reset request throttle', () => {
  it('sends nothing past rateLimit.passwordReset.points for one address, with the same answer', async () => {
    // Threat (items 42, 19): the reset form mail-bombs a user, and its throttle shows that the address exists.
    const user = await createUser(t.prisma, { username: 'bombed', email: 'bombed@example.test' });
    const responses = [];
    for (let i = 0; i < POINTS + 2; i++) responses.push(await requestReset(t.agent(), user.email));
    expect(linksFor(t, user.id)).toHaveLength(POINTS);
    for (const res of responses) {
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/accounts/password_reset/done/');
      expect(res.text).toBe(responses[0]!.text);
    }
    // Changing the case or adding spaces is the same address, so the same bucket.
    const variant = await requestReset(t.agent(), `  ${user.email.toUpperCase()} `);
    expect(variant.status).toBe(303);
    expect(variant.headers.location).toBe('/accounts/password_reset/done/');
    expect(linksFor(t, user.id)).toHaveLength(POINTS);
  });

  it('keeps counting for another address separately', async () => {
    // Threat (item 20): throttling one address blocks resets for everyone.
    const other = await createUser(t.prisma, { username: 'bystander', email: 'bystander@example.test' });
    const res = await requestReset(t.agent(), other.email);
    expect(res.status).toBe(303);
    expect(linksFor(t, other.id)).toHaveLength(1);
  });
});
