// `recommendedSessionOptions` checks its secret when it is called, at start-up: express-session itself only
// notices a missing secret on the first request, and then answers every request with a 500.
import express from 'express';
import session from 'express-session';
import supertest from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, recommendedSessionOptions } from '../../src/index.ts';

const baseUrl = 'https://app.test';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('recommendedSessionOptions: the secret', () => {
  it('throws a ConfigError naming `secret` when it is missing, instead of a 500 on every request', async () => {
    // Threat (item 23): a host whose SESSION_SECRET is unset starts fine and then fails every request (a 500 each).
    const err = configError(() => recommendedSessionOptions({ secret: undefined as unknown as string, baseUrl }));
    expect(err.code).toBe('config_invalid');
    expect(err.issues).toEqual(['secret: is required: a random string (e.g. process.env.SESSION_SECRET) or a non-empty array of them']);
    expect(err.message).toContain('recommendedSessionOptions');
    expect(err.message).toContain('secret: is required');
    // An empty string, an empty array and an empty entry of an array are missing secrets too.
    expect(configError(() => recommendedSessionOptions({ secret: '', baseUrl })).issues).toEqual(['secret: must not be empty']);
    expect(configError(() => recommendedSessionOptions({ secret: [], baseUrl })).issues).toEqual(['secret: must hold at least one secret']);
    expect(configError(() => recommendedSessionOptions({ secret: ['a-good-secret', ''], baseUrl })).issues).toEqual(['secret.1: must not be empty']);

    // What the check prevents: express-session given no secret answers every request with a 500.
    const app = express();
    app.use(session({ ...recommendedSessionOptions({ secret: 'dev-secret', baseUrl: 'http://localhost:3000' }), secret: undefined as unknown as string }));
    app.get('/', (req, res) => {
      (req.session as unknown as { n: number }).n = 1;
      res.send('ok');
    });
    expect((await supertest(app).get('/')).status).toBe(500);
  });

  it('refuses secrets under 32 bytes when NODE_ENV=production, and accepts them elsewhere', () => {
    // Threat (item 23): a short, guessable secret lets anyone forge a signed session cookie.
    vi.stubEnv('NODE_ENV', 'production');
    const err = configError(() => recommendedSessionOptions({ secret: 'changeme', baseUrl }));
    expect(err.issues).toEqual(['secret: must be at least 32 bytes when NODE_ENV=production (e.g. `openssl rand -base64 48`)']);
    // Every secret of a rotation list verifies cookies, so every one must be long enough.
    expect(configError(() => recommendedSessionOptions({ secret: ['x'.repeat(32), 'old-and-short'], baseUrl })).issues).toEqual([
      'secret.1: must be at least 32 bytes when NODE_ENV=production (e.g. `openssl rand -base64 48`)',
    ]);
    // Bytes, not characters: 31 characters of which one takes two bytes is 32 bytes.
    expect(recommendedSessionOptions({ secret: `é${'x'.repeat(30)}`, baseUrl }).secret).toBe(`é${'x'.repeat(30)}`);
    expect(recommendedSessionOptions({ secret: ['y'.repeat(32), 'x'.repeat(40)], baseUrl }).name).toBe('__Host-sid');

    vi.stubEnv('NODE_ENV', 'development');
    expect(recommendedSessionOptions({ secret: 'changeme', baseUrl }).secret).toBe('changeme');
  });

  it('names a bad baseUrl too', () => {
    expect(configError(() => recommendedSessionOptions({ secret: 'dev-secret', baseUrl: 'app.test' })).issues).toEqual([
      'baseUrl: must be an http(s) URL such as https://app.example.com',
    ]);
  });
});
