// Where to go after login. Only same-origin relative paths are kept: anything a browser could read
// as another origin (`//evil.com`, `/\evil.com`, `https:evil.com`, encoded slashes, control characters)
// falls back to the default.

const MAX_NEXT_LENGTH = 2048;

export function isSafeNextPath(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_NEXT_LENGTH) return false;
  // Browsers strip tabs/newlines and treat backslashes as slashes, so refuse them outright.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return false;
  if (!value.startsWith('/') || value.startsWith('//')) return false;
  let decoded = value;
  // Decode a few rounds so `%2F%2Fevil.com` and `/%2Fevil.com` are caught however they are nested.
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return false;
    }
    if (next === decoded) break;
    decoded = next;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(decoded) || decoded.startsWith('//') || !decoded.startsWith('/')) return false;
  // Final word from the WHATWG URL parser: resolved against a dummy origin it must stay there.
  const base = 'http://same-origin.invalid';
  try {
    return new URL(value, base).origin === base && new URL(decoded, base).origin === base;
  } catch {
    return false;
  }
}

/** `next` if it is a safe same-origin path, otherwise `fallback`. */
export function safeNext(value: unknown, fallback: string): string {
  return isSafeNextPath(value) ? value : fallback;
}
