import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createUser, csrf, passwordLogin, type TestApp } from '../support/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'alice', password: 'correct horse battery' });
});
afterAll(() => t.close());

describe('smoke', () => {
  it('logs in with a password and reaches the profile', async () => {
    const agent = t.agent();
    const token = await csrf(agent);
    const step2 = await agent.post('/accounts/login/').type('form').send({ _csrf: token, username: 'alice' });
    expect(step2.status).toBe(200);
    expect(step2.text).toContain('name="password"');
    const res = await passwordLogin(agent, 'alice', 'correct horse battery');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/accounts/profile/');
    const profile = await agent.get('/accounts/profile/');
    expect(profile.text).toBe('profile of alice');
  });
});
