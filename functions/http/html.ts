import type { ApiResponse } from './api';

/** What a page may load besides its own inline styles. */
export interface PagePolicy {
  /** `img-src` sources (`'self'`, `data:`, `* data:` for an email's remote images); none by default. */
  img?: string;
  /** Scripts served by us (`script-src 'self'`): never inline. */
  scripts?: boolean;
  /** The page's scripts call our API (`connect-src 'self'`). */
  connect?: boolean;
  /** `cache-control`; `no-store` by default (pages carry personal data). */
  cache?: string;
}

/** The Content-Security-Policy of a page: nothing but what its policy allows, never inline scripts. */
export function contentSecurityPolicy(p: PagePolicy = {}): string {
  return [
    "default-src 'none'",
    p.scripts ? "script-src 'self'" : undefined,
    "style-src 'unsafe-inline'",
    p.img ? `img-src ${p.img}` : undefined,
    p.connect ? "connect-src 'self'" : undefined,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * Every HTML response, built in one place with its security headers: a CSP without inline scripts,
 * no framing (`frame-ancestors` and `x-frame-options`), no referrer, no MIME sniffing, no caching
 * unless the page says otherwise.
 */
export function htmlResponse(status: number, body: string, policy: PagePolicy = {}): ApiResponse {
  return {
    status,
    body,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': policy.cache ?? 'no-store',
      'content-security-policy': contentSecurityPolicy(policy),
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
  };
}
