// Redirect-URI allow-listing as the WorkOS dashboard does it: exact strings, plus `*` wildcards
// (e.g. `http://localhost:*/callback`) for local development.

function toPattern(allowed: string): RegExp {
  const escaped = allowed.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // A wildcard never reaches into the fragment, so `http://localhost:*` cannot smuggle one in.
  return new RegExp(`^${escaped.join('[^#\\s]*')}$`);
}

/** True when `candidate` may receive codes for a client whose allow-list is `allowed`. */
export function isRedirectUriAllowed(allowed: readonly string[], candidate: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(candidate);
  } catch {
    return false;
  }
  // `http://localhost:3000@evil.example/` matches `http://localhost:*` as text but goes elsewhere.
  if (parsed.username !== '' || parsed.password !== '') return false;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return allowed.some((entry) => (entry.includes('*') ? toPattern(entry).test(candidate) : entry === candidate));
}

/** A pattern is valid when it parses as an http(s) URL once each `*` stands for a port-like value. */
export function isValidRedirectUriPattern(value: string): boolean {
  try {
    const url = new URL(value.replaceAll('*', '0'));
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The client's default: its first allow-listed URI without a wildcard. */
export function defaultRedirectUri(allowed: readonly string[]): string | undefined {
  return allowed.find((entry) => !entry.includes('*'));
}

/** `base` with the given query parameters added (undefined ones left out), as a redirect target. */
export function withQuery(base: string, params: Readonly<Record<string, string | undefined>>): string {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}
