// A failing listener is logged, but never with the payload's secrets: a mail host's error that quotes the link,
// its token or the code must reach the log redacted.
import { describe, expect, it } from 'vitest';
import { LoginEvents, redactSecrets } from '../src/events.ts';

const TOKEN = 'Zk3xQ9_abcdefghijklmnopqrstuvwxyz0123456789AB';
const LINK = `http://app.test/accounts/magic/${TOKEN}/`;

function capture() {
  const lines: unknown[][] = [];
  const log = (...args: unknown[]) => lines.push(args);
  return { lines, logger: { error: log, warn: log, info: log, debug: log } };
}

const user = { id: 1, username: 'pat', email: 'pat@example.test' } as never;
const rule = { id: 1, name: 'r', method: 'magic-link' } as never;

describe('listener failures in the log', () => {
  it('redact the link, its token and the code, thrown or rejected, and keep the rest of the message', async () => {
    const { lines, logger } = capture();
    const events = new LoginEvents(logger as never);
    events.on('sendMagicLink', (p) => {
      throw new Error(`550 refused message containing ${p.link}`);
    });
    events.on('sendMagicLink', async (p) => {
      throw new Error(`bounced: token ${p.link.split('/').at(-2)} and ${encodeURIComponent(p.link)}`);
    });
    events.on('sendPasswordReset', (p) => {
      throw new Error(`smtp says: ${p.link}`);
    });
    events.emit('sendMagicLink', { user, rule, expiresAt: new Date(), kind: 'link', link: LINK });
    events.emit('sendMagicLink', { user, rule, expiresAt: new Date(), kind: 'code', code: '493817', link: 'http://app.test/accounts/magic/code/' });
    events.emit('sendPasswordReset', { user, link: `http://app.test/accounts/reset/${TOKEN}/` });
    events.on('sendMagicLink', () => {
      throw new Error('code 493817 rejected');
    });
    events.emit('sendMagicLink', { user, rule, expiresAt: new Date(), kind: 'code', code: '493817', link: 'http://app.test/accounts/magic/code/' });
    await new Promise((resolve) => setImmediate(resolve));

    const text = JSON.stringify(lines);
    expect(lines.length).toBe(8);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('493817');
    expect(text).toContain('550 refused message containing [redacted]');
    expect(text).toContain('code [redacted] rejected');
    expect(text).toContain('"sendPasswordReset\\" listener failed');
  });

  it('leaves a message without secrets as it is', () => {
    expect(redactSecrets('connection refused', { link: LINK })).toBe('connection refused');
    expect(redactSecrets('connection refused', null)).toBe('connection refused');
  });
});
