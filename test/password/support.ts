// Helpers for the password-reset, password-change and throttling tests: real HTTP through supertest.
import { expect } from 'vitest';
import { csrf, csrfFrom, type Agent, type TestApp } from '../support/app.ts';

export const LINK_PATTERN = /^http:\/\/app\.test\/accounts\/reset\/([A-Za-z0-9_-]{43})\/$/;

/** POSTs the reset request form (with this agent's CSRF token) and returns the response. */
export async function requestReset(agent: Agent, email: string, headers: Record<string, string> = {}) {
  const token = await csrf(agent, '/accounts/password_reset/');
  return agent.post('/accounts/password_reset/').set(headers).type('form').send({ _csrf: token, email });
}

/** Every reset link sent to a user so far, oldest first. */
export function linksFor(t: TestApp, userId: number): string[] {
  return t.events.of('sendPasswordReset').filter((e) => e.user.id === userId).map((e) => e.link);
}

/** Asks for a reset link for `email` and returns the one link the user got from that request. */
export async function newResetLink(t: TestApp, userId: number, email: string): Promise<string> {
  const before = linksFor(t, userId).length;
  const res = await requestReset(t.agent(), email);
  expect(res.status).toBe(303);
  const links = linksFor(t, userId);
  expect(links).toHaveLength(before + 1);
  return links.at(-1)!;
}

export function tokenOf(link: string): string {
  const m = LINK_PATTERN.exec(link);
  if (!m) throw new Error(`not a reset link: ${link}`);
  return m[1]!;
}

export const pathOf = (link: string) => new URL(link).pathname;

/** Opens the link (GET, for the CSRF token) and POSTs the two new-password fields. */
export async function submitNewPassword(agent: Agent, link: string, password1: string, password2 = password1) {
  const page = await agent.get(pathOf(link));
  expect(page.status).toBe(200);
  return agent.post(pathOf(link)).type('form').send({ _csrf: csrfFrom(page.text), new_password1: password1, new_password2: password2 });
}

/** POSTs to a link whose page has no form (invalid link): the CSRF token comes from the login page. */
export async function postToLink(agent: Agent, link: string, password: string) {
  const token = await csrf(agent);
  return agent.post(pathOf(link)).type('form').send({ _csrf: token, new_password1: password, new_password2: password });
}

