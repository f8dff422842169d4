// The page's own static files (served from this folder's assets/, never a CDN), read once at
// mount. From dist/ the files are found beside the sources, which every image ships.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Asset {
  contentType: string;
  body: Buffer;
}

const FILES: Readonly<Record<string, string>> = {
  'checkout.css': 'text/css; charset=utf-8',
  'checkout.js': 'text/javascript; charset=utf-8',
  'checkout-buyer.js': 'text/javascript; charset=utf-8',
  'card-update.js': 'text/javascript; charset=utf-8',
  'payment-watch.js': 'text/javascript; charset=utf-8',
  'stripe-payment.js': 'text/javascript; charset=utf-8',
};

function assetsDir(): string {
  const candidates = [new URL('./assets/', import.meta.url), new URL('../../src/hosted-page/assets/', import.meta.url)];
  for (const dir of candidates) {
    const path = fileURLToPath(dir);
    if (existsSync(`${path}checkout.js`)) return path;
  }
  throw new Error('hosted page: assets/ not found beside the gateway sources');
}

export function loadAssets(): ReadonlyMap<string, Asset> {
  const dir = assetsDir();
  return new Map(Object.entries(FILES).map(([name, contentType]) => [name, { contentType, body: readFileSync(`${dir}${name}`) }]));
}

/**
 * `accent-rrggbb.css`: a merchant's accent colour (its checkout branding) as the page's CSS
 * variables, for the page to link after checkout.css; the darker shade is 80 % of each channel.
 * A stylesheet of its own keeps the CSP strict (no inline style); its name is its whole content.
 */
export function accentStylesheet(file: string): string | undefined {
  const m = /^accent-([0-9a-f]{6})\.css$/.exec(file);
  if (!m) return undefined;
  const hex = m[1]!;
  const dark = [0, 2, 4].map((i) => Math.floor(parseInt(hex.slice(i, i + 2), 16) * 0.8).toString(16).padStart(2, '0')).join('');
  return `:root { --accent: #${hex}; --accent-dark: #${dark}; }\n`;
}
