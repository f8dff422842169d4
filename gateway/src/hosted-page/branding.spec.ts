// The merchant's accent colour reaches the page as a stylesheet of its own (the CSP keeps
// style-src 'self': no inline style), named by the colour and nothing else.
import { describe, expect, it } from 'vitest';
import { accentStylesheet } from './assets.js';
import { accentColor } from './checkout-api.js';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';

describe('hosted page branding', () => {
  it('serves accent-rrggbb.css as the page variables, the darker shade at 80 %', () => {
    expect(accentStylesheet('accent-ff8800.css')).toBe(':root { --accent: #ff8800; --accent-dark: #cc6c00; }\n');
    for (const bad of ['accent-FF8800.css', 'accent-ff880.css', 'accent-ff8800.css.map', 'accent-ff8800;x.css', 'checkout.css']) expect(accentStylesheet(bad), bad).toBeUndefined();
  });

  it('uses only a #rrggbb colour, and the CSP stays strict', () => {
    expect(accentColor('#1a73e8')).toBe('#1a73e8');
    for (const bad of ['red', '#fff', 'url(x)', '#1a73e8;}', null, undefined]) expect(accentColor(bad as never)).toBeNull();
    expect(CONTENT_SECURITY_POLICY).toContain("style-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
  });
});
