// Threat: an open redirect through `next` sends users to another origin after they log in.
import { describe, expect, it } from 'vitest';
import { isSafeNextPath, safeNext } from '../../src/core/next-url.ts';

const FALLBACK = '/accounts/profile/';

describe('isSafeNextPath / safeNext keep same-origin paths', () => {
  it.each(['/profile', '/a?b=c#d', '/', '/accounts/profile/', '/search?q=a%20b', '/a/b?next=%2Fc'])('keeps %j', (value) => {
    expect(isSafeNextPath(value)).toBe(true);
    expect(safeNext(value, FALLBACK)).toBe(value);
  });

  it('keeps a path just under the length cap', () => {
    const value = `/${'a'.repeat(2047)}`;
    expect(value).toHaveLength(2048);
    expect(safeNext(value, FALLBACK)).toBe(value);
  });
});

describe('isSafeNextPath / safeNext refuse anything that can leave the origin', () => {
  const refused: [string, string][] = [
    ['protocol-relative', '//evil.com'],
    ['protocol-relative with path', '//evil.com/profile'],
    ['backslash (browsers read it as a slash)', '/\\evil.com'],
    ['leading backslashes', '\\\\evil.com'],
    ['scheme without slashes', 'https:evil.com'],
    ['encoded slashes', '%2F%2Fevil.com'],
    ['lower-case encoded slashes', '%2f%2fevil.com'],
    ['slash then encoded slashes', '/%2F%2Fevil.com'],
    ['slash then one encoded slash', '/%2Fevil.com'],
    ['double-encoded slashes', '/%252F%252Fevil.com'],
    ['encoded backslash', '/%5Cevil.com'],
    ['javascript URL', 'javascript:alert(1)'],
    ['http URL', 'http://evil.com'],
    ['https URL', 'https://evil.com'],
    ['upper-case scheme', 'HTTPS://evil.com'],
    ['tab injected', '/\t/evil.com'],
    ['newline injected', '/\n/evil.com'],
    ['carriage return injected', '/\r/evil.com'],
    ['encoded tab', '/%09/evil.com'],
    ['NUL character', '/\u0000/evil.com'],
    ['leading space', ' /profile'],
    ['relative path without slash', 'profile'],
    ['malformed percent-encoding', '/%zz'],
    ['empty string', ''],
    ['longer than 2048 characters', `/${'a'.repeat(2048)}`],
    ['very long', `/${'a'.repeat(100_000)}`],
  ];

  it.each(refused)('refuses %s', (_label, value) => {
    expect(isSafeNextPath(value)).toBe(false);
    expect(safeNext(value, FALLBACK)).toBe(FALLBACK);
  });

  it.each([[undefined], [null], [42], [['/profile']], [{ toString: () => '/profile' }], [true]])('refuses the non-string %j', (value) => {
    expect(isSafeNextPath(value)).toBe(false);
    expect(safeNext(value, FALLBACK)).toBe(FALLBACK);
  });

  it('answers a very long value quickly', () => {
    const started = performance.now();
    for (let i = 0; i < 100; i++) isSafeNextPath(`/${'%2F'.repeat(50_000)}`);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
