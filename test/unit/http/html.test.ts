import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, htmlResponse, type PagePolicy } from '../../../functions/http/html';
import { TILL_PAGE_POLICY } from '../../../functions/ui/pages/till';

const POLICIES: PagePolicy[] = [
  {},
  { img: '* data:' },
  { img: 'data:' },
  { scripts: true },
  { scripts: true, connect: true },
  TILL_PAGE_POLICY,
  { img: "'self' data:", scripts: true, connect: true, cache: 'private, max-age=60' },
];

const directive = (csp: string, name: string) =>
  csp
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith(`${name} `));

describe('htmlResponse', () => {
  it.each(POLICIES.map((p) => [JSON.stringify(p), p] as const))(
    '%s: the security headers of every page, and never an inline script',
    (_, policy) => {
      const res = htmlResponse(200, '<!doctype html>', policy);
      expect(res.headers).toEqual({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': policy.cache ?? 'no-store',
        'content-security-policy': contentSecurityPolicy(policy),
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
      });
      const csp = contentSecurityPolicy(policy);
      expect(directive(csp, 'default-src')).toBe("default-src 'none'");
      expect(directive(csp, 'frame-ancestors')).toBe("frame-ancestors 'none'");
      expect(directive(csp, 'base-uri')).toBe("base-uri 'none'");
      expect(directive(csp, 'script-src')).toBe(policy.scripts ? "script-src 'self'" : undefined);
      expect(csp).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
    },
  );

  it('the till page loads its own script and calls its own origin, revalidated on every visit', () => {
    expect(htmlResponse(200, '', TILL_PAGE_POLICY).headers).toMatchObject({
      'cache-control': 'no-cache',
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    });
  });
});
