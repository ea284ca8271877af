// A host's own security headers (helmet in front of the router) survive on the router's pages: the router only
// adds what an auth page needs and is missing, and tightens what is looser, never the other way round.
import type { Express } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { afterAll, describe, expect, it } from 'vitest';
import { atLeastSameOrigin, withFrameAncestorsNone } from '../../src/http/security-headers.ts';
import { PASSWORD, createTestApp, createUser, csrf, type Agent, type TestApp } from '../support/app.ts';
import { newResetLink, pathOf } from '../password/support.ts';

const apps: TestApp[] = [];
afterAll(() => Promise.all(apps.map((a) => a.close())));

/** A host that puts helmet (with these options) in front of everything, the router included. */
async function behindHelmet(options?: HelmetOptions, extra?: (app: Express) => void): Promise<TestApp> {
  const t = await createTestApp({
    configure: (app) => {
      app.use(helmet(options));
      extra?.(app);
    },
  });
  apps.push(t);
  await createUser(t.prisma, { username: 'hermione', email: 'hermione@example.test', password: PASSWORD });
  return t;
}

// helmet 8's default policy, as it sends it on the host's own pages.
const HELMET_CSP =
  "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests";
const HELMET_CSP_ON_AUTH_PAGES = HELMET_CSP.replace("frame-ancestors 'self'", "frame-ancestors 'none'");

type Res = { status: number; headers: Record<string, string> };

const pages: [string, (agent: Agent) => Promise<Res>, number][] = [
  ['GET login/', (a) => a.get('/accounts/login/'), 200],
  ['POST login/ wrong password', async (a) => {
      const token = await csrf(a);
      return a.post('/accounts/login/').type('form').send({ _csrf: token, username: 'hermione', password: 'nope' });
    }, 401],
  ['POST login/ without CSRF', (a) => a.post('/accounts/login/').type('form').send({ username: 'hermione', password: PASSWORD }), 403],
  ['POST login/ right password (redirect)', async (a) => {
      const token = await csrf(a);
      return a.post('/accounts/login/').type('form').send({ _csrf: token, username: 'hermione', password: PASSWORD });
    }, 303],
  ['GET password_reset/', (a) => a.get('/accounts/password_reset/'), 200],
];

describe('helmet in front of the router', () => {
  it.each(pages)('%s keeps helmet\'s CSP and no-referrer, with frame-ancestors \'none\'', async (_label, request, status) => {
    // Threat (item 51): the router replaced the host's CSP with a bare frame-ancestors and weakened its no-referrer.
    const t = await behindHelmet();
    const res = await request(t.agent());
    expect(res.status).toBe(status);
    expect(res.headers['content-security-policy']).toBe(HELMET_CSP_ON_AUTH_PAGES);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    // Headers the router has no opinion on are helmet's, untouched.
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
  });

  it('keeps no-referrer on a page that carries a token, and tightens a looser host policy on the others', async () => {
    // Threat (items 39, 51): a reset token leaks through Referer when the page's policy is weakened.
    for (const hostPolicy of ['no-referrer', 'strict-origin-when-cross-origin', 'unsafe-url'] as const) {
      const t = await behindHelmet({ referrerPolicy: { policy: hostPolicy } });
      const user = await t.prisma.user.findUniqueOrThrow({ where: { username: 'hermione' } });
      const link = await newResetLink(t, user.id, user.email);
      const page = await t.agent().get(pathOf(link));
      expect(page.status).toBe(200);
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      const login = await t.agent().get('/accounts/login/');
      expect(login.headers['referrer-policy'], hostPolicy).toBe(hostPolicy === 'no-referrer' ? 'no-referrer' : 'same-origin');
    }
  });

  it("adds frame-ancestors 'none' to a host CSP that has no frame-ancestors", async () => {
    // Threat (item 51): the login form framed by another site (clickjacking) under the host's own CSP.
    const t = await behindHelmet({ contentSecurityPolicy: { directives: { frameAncestors: null, 'report-uri': '/csp' } } });
    const res = await t.agent().get('/accounts/login/');
    const csp = res.headers['content-security-policy']!;
    expect(csp.endsWith(";frame-ancestors 'none'")).toBe(true);
    expect(csp).toContain('report-uri /csp');
    expect(csp).toContain("script-src 'self'");
    expect(csp.match(/frame-ancestors/g)).toHaveLength(1);
  });

  it('sends the router\'s own headers when the host sets none', async () => {
    // Threat (item 51): without a host CSP the pages must still refuse to be framed.
    const t = await behindHelmet({ contentSecurityPolicy: false, referrerPolicy: false, xFrameOptions: false });
    const res = await t.agent().get('/accounts/login/');
    expect(res.headers['content-security-policy']).toBe("frame-ancestors 'none'");
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it("leaves the host's pages outside the router alone", async () => {
    const t = await behindHelmet(undefined, (app) => app.get('/home', (_req, res) => res.send('home')));
    const res = await t.agent().get('/home');
    expect(res.headers['content-security-policy']).toBe(HELMET_CSP);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });
});

describe('the merge rules', () => {
  it("puts frame-ancestors 'none' into every policy, replacing looser ones", () => {
    expect(withFrameAncestorsNone(undefined)).toBe("frame-ancestors 'none'");
    expect(withFrameAncestorsNone("default-src 'self'; FRAME-ANCESTORS https://partner.test; img-src *")).toBe("default-src 'self';frame-ancestors 'none';img-src *");
    // Two policies (two header lines, or one line with a comma): each must forbid framing.
    expect(withFrameAncestorsNone(["default-src 'self'", "img-src *; frame-ancestors 'self'"])).toBe(
      "default-src 'self';frame-ancestors 'none', img-src *;frame-ancestors 'none'",
    );
    expect(withFrameAncestorsNone("script-src 'self', frame-ancestors *")).toBe("script-src 'self';frame-ancestors 'none', frame-ancestors 'none'");
    // A policy with two frame-ancestors directives: browsers use the first, so both become 'none'.
    expect(withFrameAncestorsNone("frame-ancestors *; frame-ancestors 'self'")).toBe("frame-ancestors 'none';frame-ancestors 'none'");
  });

  it('keeps a host Referrer-Policy that sends nothing across origins, and tightens any other', () => {
    // Threat (item 51): the router weakened no-referrer to same-origin.
    expect(atLeastSameOrigin(undefined)).toBe('same-origin');
    expect(atLeastSameOrigin('no-referrer')).toBe('no-referrer');
    expect(atLeastSameOrigin('same-origin')).toBe('same-origin');
    expect(atLeastSameOrigin('strict-origin-when-cross-origin')).toBe('same-origin');
    expect(atLeastSameOrigin('origin')).toBe('same-origin');
    // A fallback list: browsers use the last policy they know.
    expect(atLeastSameOrigin('unsafe-url, no-referrer')).toBe('unsafe-url, no-referrer');
    expect(atLeastSameOrigin('no-referrer, unsafe-url')).toBe('same-origin');
    expect(atLeastSameOrigin('no-referrer, some-future-policy')).toBe('no-referrer, some-future-policy');
    expect(atLeastSameOrigin('nonsense')).toBe('same-origin');
  });
});
