// Headers on every hosted-page response (page, assets, public API). The client secret is in the
// page's URL, so nothing may leak it: no referrer, no caching, no framing, no third parties.
import type { Response } from 'express';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

export function setSecurityHeaders(res: Response): void {
  for (const [name, value] of Object.entries(HEADERS)) res.setHeader(name, value);
}

/** Stripe's own origins besides Stripe.js's: its API (card data goes there) and its 3-D Secure frames. */
const STRIPE_API = 'https://api.stripe.com';
const STRIPE_HOOKS = 'https://hooks.stripe.com';

/**
 * The CSP of a page that collects the card with Stripe.js (a merchant paid through Stripe): the
 * page's own, plus Stripe.js's origin for its script, its frames (the Payment Element) and its
 * calls, and Stripe's API and 3-D Secure origins. Nothing else is let in.
 */
export function stripeContentSecurityPolicy(stripeJsUrl: string): string {
  const js = new URL(stripeJsUrl).origin;
  const list = (...origins: string[]) => [...new Set(origins)].join(' ');
  return [
    "default-src 'none'",
    `script-src 'self' ${js}`,
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${list(js, STRIPE_API)}`,
    `frame-src ${list(js, STRIPE_HOOKS)}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
