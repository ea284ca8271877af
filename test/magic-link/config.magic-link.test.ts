// magicLink settings: the provider default (works out of the box with or without WorkOS), bounds, start-up checks.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { ConfigError, workosLogin } from '../../src/index.ts';
import { createTestDb } from '../support/db.ts';

const prisma = { $transaction() {}, user: {}, group: {}, loginRule: {}, mfaFactor: {}, ssoIdentity: {}, passwordResetToken: {} };
const base = { prisma, baseUrl: 'http://app.test' };

describe('magicLink config', () => {
  it('defaults to the local provider without WorkOS keys, 10-minute links, send limits and WorkOS-sent mail', () => {
    const c = parseConfig(base, {});
    expect(c.magicLink).toEqual({
      provider: 'local',
      ttlSeconds: 600,
      sendsPerEmail: { points: 5, durationSeconds: 900 },
      sendsPerIp: { points: 30, durationSeconds: 900 },
      codeAttempts: 5,
      sendCustomEmail: false,
    });
    expect(Object.isFrozen(c.magicLink)).toBe(true);
  });

  it('defaults to WorkOS when its keys are configured, in config or in the environment', () => {
    expect(parseConfig({ ...base, workos: { apiKey: 'sk_1', clientId: 'client_1' } }, {}).magicLink.provider).toBe('workos');
    expect(parseConfig(base, { WORKOS_API_KEY: 'sk_1', WORKOS_CLIENT_ID: 'client_1' }).magicLink.provider).toBe('workos');
    expect(parseConfig({ ...base, magicLink: { provider: 'local' } }, { WORKOS_API_KEY: 'sk_1', WORKOS_CLIENT_ID: 'client_1' }).magicLink.provider).toBe('local');
  });

  it('refuses the WorkOS providers without WorkOS keys, naming the key and the fix', () => {
    for (const provider of ['workos', 'workos-magic-auth'] as const) {
      expect(() => parseConfig({ ...base, magicLink: { provider } }, {})).toThrow(ConfigError);
      expect(() => parseConfig({ ...base, magicLink: { provider } }, {})).toThrow(
        `magicLink.provider: "${provider}" needs workos.apiKey and workos.clientId (or WORKOS_API_KEY / WORKOS_CLIENT_ID); use "local" to send links without WorkOS`,
      );
    }
    expect(parseConfig({ ...base, magicLink: { provider: 'workos-magic-auth' } }, { WORKOS_API_KEY: 'sk_1', WORKOS_CLIENT_ID: 'client_1' }).magicLink.provider).toBe('workos-magic-auth');
    expect(() => parseConfig({ ...base, magicLink: { codeAttempts: 0 } }, {})).toThrow(/magicLink\.codeAttempts/);
  });

  it('refuses links that live longer than 10 minutes, and unknown keys', () => {
    // Threat (item 38, A5 6.5.5): an out-of-band secret that stays valid for hours.
    expect(() => parseConfig({ ...base, magicLink: { ttlSeconds: 601 } }, {})).toThrow(/magicLink\.ttlSeconds/);
    expect(() => parseConfig({ ...base, magicLink: { ttlSeconds: 30 } }, {})).toThrow(/magicLink\.ttlSeconds/);
    expect(() => parseConfig({ ...base, magicLink: { provider: 'smtp' } }, {})).toThrow(/magicLink\.provider/);
    expect(() => parseConfig({ ...base, magicLink: { ttl: 60 } }, {})).toThrow(/magicLink/);
    expect(parseConfig({ ...base, magicLink: { ttlSeconds: 300, sendsPerEmail: { points: 3, durationSeconds: 60 } } }, {}).magicLink).toMatchObject({
      ttlSeconds: 300,
      sendsPerEmail: { points: 3, durationSeconds: 60 },
      sendsPerIp: { points: 30, durationSeconds: 900 },
    });
  });

  it('the local provider needs the MagicLinkToken model, checked at start-up', async () => {
    const db = await createTestDb();
    try {
      // The host's client as if its schema lacked the model (every other delegate is the real one).
      const withoutModel = Object.create(db.prisma, { magicLinkToken: { value: undefined } }) as typeof db.prisma;
      expect(() => workosLogin({ prisma: withoutModel, baseUrl: 'http://app.test', magicLink: { provider: 'local' } })).toThrow(
        'magicLink.provider: "local" needs the MagicLinkToken model from prisma/workos-login.prisma in your Prisma schema',
      );
      expect(() => workosLogin({ prisma: db.prisma, baseUrl: 'http://app.test', magicLink: { provider: 'local' } })).not.toThrow();
    } finally {
      await db.close();
    }
  });
});
