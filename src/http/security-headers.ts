// The headers every auth page needs: never framed, never cached, never sniffed, no URL sent to other sites.
// A host often sets its own (helmet in front of the router): those are kept, and only what is missing or weaker
// than an auth page needs is added. A stricter host policy always wins.
import type { RequestHandler } from 'express';

type HeaderValue = number | string | readonly string[] | undefined;

/** Referrer policies that send nothing to other origins; any other value is tightened to `same-origin`. */
const NOTHING_CROSS_ORIGIN = new Set(['no-referrer', 'same-origin']);
const REFERRER_POLICIES = new Set([
  'no-referrer',
  'no-referrer-when-downgrade',
  'origin',
  'origin-when-cross-origin',
  'same-origin',
  'strict-origin',
  'strict-origin-when-cross-origin',
  'unsafe-url',
]);

const values = (header: HeaderValue): string[] => (header === undefined ? [] : Array.isArray(header) ? [...header] : [String(header)]);

/**
 * Each policy of the host's CSP with `frame-ancestors 'none'` (replacing a looser `frame-ancestors`); the rest of
 * every policy is kept as the host wrote it. Without a host CSP, only `frame-ancestors 'none'`.
 */
export function withFrameAncestorsNone(header: HeaderValue): string {
  const policies = values(header)
    .flatMap((v) => v.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
  if (policies.length === 0) return "frame-ancestors 'none'";
  return policies
    .map((policy) => {
      const isFrameAncestors = (d: string) => d.split(/\s+/)[0]!.toLowerCase() === 'frame-ancestors';
      const directives = policy
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean);
      // Replaced where it stands, so the host's policy reads as it wrote it.
      const replaced = directives.map((d) => (isFrameAncestors(d) ? "frame-ancestors 'none'" : d));
      return (directives.some(isFrameAncestors) ? replaced : [...directives, "frame-ancestors 'none'"]).join(';');
    })
    .join(', ');
}

/**
 * The host's Referrer-Policy when it sends nothing across origins (`no-referrer`, `same-origin`), else
 * `same-origin`. A header may list fallbacks: browsers use the last policy they know, and so do we.
 */
export function atLeastSameOrigin(header: HeaderValue): string {
  const given = values(header).join(',');
  const effective = given
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => REFERRER_POLICIES.has(t))
    .at(-1);
  return effective && NOTHING_CROSS_ORIGIN.has(effective) ? given : 'same-origin';
}

/** Sets the auth pages' headers over whatever the host already set (see the rules above). */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.set({
      // DENY is the only value stricter than SAMEORIGIN, and the one that agrees with frame-ancestors 'none'.
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': withFrameAncestorsNone(res.getHeader('Content-Security-Policy')),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'Referrer-Policy': atLeastSameOrigin(res.getHeader('Referrer-Policy')),
    });
    next();
  };
}
