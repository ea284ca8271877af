// Where a successful login goes: only same-origin paths from `next`, everything else to loginRedirectUrl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, createTestApp, createUser, csrfFrom, type TestApp } from '../support/app.ts';

const HOME = '/accounts/profile/';
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.prisma, { username: 'frank', password: PASSWORD });
});
afterAll(() => t.close());

const hiddenNext = (html: string) => /<input type="hidden" name="next" value="([^"]*)">/.exec(html)?.[1];

/** Logs in with `next` as a raw query string on the page and as the posted field; returns both answers. */
async function loginWith(rawQueryNext: string, postedNext: string) {
  const agent = t.agent();
  const page = await agent.get(`/accounts/login/?next=${rawQueryNext}`);
  expect(page.status).toBe(200);
  const res = await agent.post('/accounts/login/').type('form').send({ _csrf: csrfFrom(page.text), username: 'frank', password: PASSWORD, next: postedNext });
  return { page, res };
}

describe('next after login', () => {
  const hostile: [string, string][] = [
    ['protocol-relative', '//evil.com'],
    ['absolute https', 'https://evil.com'],
    ['absolute http', 'http://evil.com/x'],
    ['backslash', '/\\evil.com'],
    ['encoded slashes', '%2F%2Fevil.com'],
    ['slash then encoded slash', '/%2Fevil.com'],
    ['double-encoded slashes', '/%252F%252Fevil.com'],
    ['javascript URL', 'javascript:alert(1)'],
    ['scheme without slashes', 'https:evil.com'],
    ['tab inside', '/\t/evil.com'],
  ];

  it.each(hostile)('falls back to loginRedirectUrl for %s (%s)', async (_label, value) => {
    // Threat (item 1): open redirect to an attacker's site after a real login (phishing).
    const { page, res } = await loginWith(encodeURIComponent(value), value);
    expect(hiddenNext(page.text)).toBe(HOME);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(HOME);
  });

  it('falls back for a raw %2F%2F in the query string', async () => {
    // Threat (item 1): the query string decodes %2F%2Fevil.com into //evil.com.
    const { page, res } = await loginWith('%2F%2Fevil.com', '%2F%2Fevil.com');
    expect(hiddenNext(page.text)).toBe(HOME);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(HOME);
  });

  it('keeps a same-origin path', async () => {
    const { page, res } = await loginWith('%2Fprivate', '/private');
    expect(hiddenNext(page.text)).toBe('/private');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/private');
  });

  it('keeps a same-origin path with a query string', async () => {
    const { res } = await loginWith(encodeURIComponent('/private?tab=2&x=%2F'), '/private?tab=2&x=%2F');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/private?tab=2&x=%2F');
  });

  it('uses loginRedirectUrl when next is empty', async () => {
    const { res } = await loginWith('', '');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(HOME);
  });
});
