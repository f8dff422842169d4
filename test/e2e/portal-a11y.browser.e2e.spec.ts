// The merchant portal, every page, in one Chromium session (issue 23: "accessible", "bad input"):
// an owner of a merchant seeded with data whose merchant- and buyer-controlled strings are script
// and HTML payloads (offer name and description, agent name, order reference, line item name and
// SKU, metadata, support notes, refund reason, payment description) signs in, and the test visits
// every page the navigation lists (found from the page registry, so pages added later are covered)
// and every detail page a link on those pages reaches (a row, "Open its payment"), until every
// path in portal/src/pages/*/meta.ts has been seen. On each: axe-core finds no serious or critical
// violation, no payload ran (no dialog, no sentinel, no injected element), and a screenshot is kept
// (test/artifacts/portal-a11y/). The payloads are shown as text where the pages show them. The
// keyboard alone reaches the content (skip link) and the navigation; the CSP refuses an inline
// script even if one were injected; the first load stays within 300 KB of compressed JavaScript.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, describeViolations, isSerious } from '../support/axe.js';
import { launchBrowser, type Browser } from '../support/browser.js';
import { setUpWorld, type World } from '../support/subscriptions.js';
import { waitFor } from './sweep/tenants.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/portal-a11y/', import.meta.url));
const PAGES_DIR = fileURLToPath(new URL('../../portal/src/pages/', import.meta.url));
const PASSWORD = 'correct horse battery staple';
const EMAIL = 'owner@a11y.example';

/** A payload that, were it parsed as HTML, would open a dialog, set a sentinel and leave a marked element. */
const xss = (n: number, text: string) => `<img src=x data-xss onerror="alert(${n});window.__xss=${n}">${text}<script>window.__xss=${n}</script>`;
const P = {
  offerName: xss(1, 'Roaming plan'),
  offerDescription: xss(2, 'Plan description'),
  agentName: xss(3, 'Agent'),
  orderReference: xss(5, 'order-a11y-1'),
  lineName: xss(6, 'Line item'),
  sku: '<b data-xss>SKU</b>',
  metadata: xss(8, 'metadata value'),
  note: xss(9, 'Support note'),
  refundReason: xss(10, 'Refund reason'),
  description: xss(11, 'Payment description'),
};

const Q = {
  offer: `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`,
  agent: `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id } }`,
  key: `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`,
  start: `mutation { startAgentSession(input: { query: "a roaming plan" }) { id } }`,
  recommend: `mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`,
  report: `mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id } }`,
  session: `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntent { id } } }`,
  note: `mutation($id: ID!, $note: String!) { addCheckoutSupportNote(id: $id, note: $note) { id } }`,
  intent: `mutation($input: CreatePaymentIntentInput!) { createPaymentIntent(input: $input) { id } }`,
  confirm: `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { id status } }`,
  status: `query($id: ID!) { paymentIntent(id: $id) { status } }`,
  refund: `mutation($id: ID!, $reason: String) { refundPaymentIntent(id: $id, amountMinor: 300, reason: $reason) { id } }`,
  invite: `mutation($input: InviteMerchantUserInput!) { inviteMerchantUser(input: $input) { acceptUrl } }`,
};

/** Every page path in the registry (portal/src/pages/<name>/meta.ts), as a URL pattern under /portal. */
function registryPaths(): Array<{ path: string; pattern: RegExp }> {
  return readdirSync(PAGES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      let source: string;
      try {
        source = readFileSync(join(PAGES_DIR, d.name, 'meta.ts'), 'utf8');
      } catch {
        return [];
      }
      const path = /\bpath:\s*['"]([^'"]+)['"]/.exec(source)?.[1];
      if (!path) throw new Error(`portal/src/pages/${d.name}/meta.ts: no path found`);
      const body = path.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
      return [{ path, pattern: new RegExp(`^/portal/${body}$`) }];
    });
}

async function seed(w: World): Promise<{ sessionIntent: string; standalone: string; sessionId: string }> {
  const m = w.merchantA.http;
  const { createOffer } = await m.ok(Q.offer, { input: { merchantId: w.merchantA.id, name: P.offerName, description: P.offerDescription, price: { amountMinor: 1500, currency: 'GBP' } } });
  const agent = (await w.admin.ok(Q.agent, { input: { name: P.agentName, builderName: 'Builder' } })).registerAgent;
  const agentKey = (await w.admin.ok(Q.key, { input: { role: 'AGENT', agentId: agent.id } })).createApiKey.key as string;
  const agentSession = (await w.admin.as(agentKey).ok(Q.start)).startAgentSession.id as string;
  await w.admin.as(agentKey).ok(Q.recommend, { s: agentSession, o: createOffer.id });
  await m.ok(Q.report, { input: { sessionId: agentSession, orderReference: P.orderReference, transactionValue: { amountMinor: 1500, currency: 'GBP' } } });

  const { createCheckoutSession } = await m.ok(Q.session, {
    input: {
      lineItems: [{ name: P.lineName, sku: P.sku, unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1 }],
      customerEmail: 'buyer@a11y.example',
      metadata: { note: P.metadata },
    },
  });
  await m.ok(Q.note, { id: createCheckoutSession.id, note: P.note });
  const sessionIntent = createCheckoutSession.paymentIntent.id as string;
  const { createPaymentIntent } = await m.ok(Q.intent, { input: { amount: { amountMinor: 2000, currency: 'GBP' }, description: P.description, metadata: { note: P.metadata } } });
  for (const id of [sessionIntent, createPaymentIntent.id as string]) {
    await m.ok(Q.confirm, { id });
    await waitFor(async () => ((await m.ok(Q.status, { id })).paymentIntent.status === 'SUCCEEDED' ? true : undefined), `payment ${id} to succeed`);
  }
  await m.ok(Q.refund, { id: sessionIntent, reason: P.refundReason });
  return { sessionIntent, standalone: createPaymentIntent.id as string, sessionId: createCheckoutSession.id as string };
}

describe('merchant portal: every page accessible, every merchant/buyer string inert', () => {
  let w: World;
  let browser: Browser;
  let page: Page;
  let base: string;
  let seeded: Awaited<ReturnType<typeof seed>>;
  const dialogs: string[] = [];
  /** The JS files of the first load (the sign-in page, cold cache) and their size as sent. */
  const firstLoadJs = new Map<string, { bytes: number; encoding: string | undefined }>();
  let firstLoad = true;
  const problems: string[] = [];
  const violations: string[] = [];
  const visited = new Set<string>();
  /** One URL per registry path visited (the first seen), for the narrow-screen pass. */
  const visitedUrls = new Set<string>();
  const registry = registryPaths();
  let shotNumber = 0;
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${String(++shotNumber).padStart(2, '0')}-${name}.png`), fullPage: true });

  /** axe on the page as it is, a screenshot, and no payload ran or left an element. */
  async function check(name: string): Promise<void> {
    const found = await axeViolations(page);
    const serious = found.filter(isSerious);
    violations.push(...describeViolations(name, serious));
    for (const line of describeViolations(name, found.filter((v) => !isSerious(v)))) console.info(`axe (minor) ${line}`);
    await shot(name);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('[data-xss], img[src="x"], main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
  }

  /** The page's heading is in and nothing is loading any more. */
  async function settled(): Promise<void> {
    await page.getByRole('main').getByRole('heading', { level: 1 }).first().waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('main .state-loading').count(), { timeout: 15_000 }).toBe(0);
  }

  const patternOf = (pathname: string) => registry.find((r) => r.pattern.test(pathname));

  /** Follows, one at a time, the links in <main> to registry pages not visited yet (detail pages). */
  async function followDetailLinks(from: string): Promise<void> {
    for (;;) {
      const hrefs = await page.locator('main a[href^="/portal/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
      const next = hrefs.find((h) => {
        const r = patternOf(new URL(h, base).pathname);
        return r && !visited.has(r.path);
      });
      if (!next) return;
      const target = patternOf(new URL(next, base).pathname)!;
      await page.locator(`main a[href="${next}"]`).first().click();
      await page.waitForURL((u) => u.pathname === new URL(next, base).pathname);
      await settled();
      if (!visited.has(target.path)) visitedUrls.add(new URL(next, base).pathname);
      visited.add(target.path);
      await check(`${from}--${target.path.replace(/[/:]/g, '_')}`);
    }
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    w = await setUpWorld();
    base = w.handoff.gatewayUrl;
    seeded = await seed(w);
    const { inviteMerchantUser } = await w.admin.ok(Q.invite, { input: { email: EMAIL, role: 'OWNER', merchantId: w.merchantA.id } });
    const token = new URL(inviteMerchantUser.acceptUrl as string).pathname.split('/').pop()!;
    const accepted = await fetch(`${base}/portal/api/invitations/${token}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada Owner', password: PASSWORD }),
    });
    expect(accepted.status).toBe(200);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('response', async (r) => {
      const path = new URL(r.url()).pathname;
      if (!firstLoad || !path.startsWith('/portal/assets/') || !path.endsWith('.js')) return;
      const h = await r.allHeaders();
      firstLoadJs.set(path, { bytes: Number(h['content-length'] ?? NaN), encoding: h['content-encoding'] });
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource') && !m.text().includes('inline script')) problems.push(`console: ${m.text()}`);
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await w?.handoff.stop();
  });

  it('the registry lists pages (the walk below has something to cover)', () => {
    expect(registry.map((r) => r.path)).toEqual(expect.arrayContaining(['live', 'overview', 'payments', 'payments/:id', 'checkout-sessions', 'checkout-sessions/:id']));
  });

  it('the sign-in page: no serious axe violation; signing in by keyboard alone', async () => {
    await page.goto(`${base}/portal/login`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await check('login');
    // The first load: within the budget of 300 KB of compressed JavaScript, as sent (gzip).
    firstLoad = false;
    const files = [...firstLoadJs.values()];
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.encoding === 'gzip' && f.bytes > 0)).toBe(true);
    expect(files.reduce((n, f) => n + f.bytes, 0)).toBeLessThanOrEqual(300 * 1024);
    await page.getByLabel('Email').focus();
    await page.keyboard.type(EMAIL);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Live', level: 1 }).waitFor({ timeout: 15_000 });
  });

  it('the keyboard: the first Tab is the skip link, which moves focus to the content; the navigation is reachable and works with Enter', async () => {
    await page.goto(`${base}/portal/overview`);
    await settled();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    expect(await page.getByRole('link', { name: 'Skip to content' }).isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    // From the top again: Tab until the navigation's Payments link has focus, then Enter.
    await page.goto(`${base}/portal/overview`);
    await settled();
    let reached = false;
    for (let i = 0; i < 15 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate(`document.activeElement.closest('nav[aria-label="Main"]') && document.activeElement.textContent`)) === 'Payments';
    }
    expect(reached).toBe(true);
    // A visible focus indicator on it (the stylesheet's outline).
    expect(await page.evaluate(`getComputedStyle(document.activeElement).outlineStyle`)).not.toBe('none');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Payments', level: 1 }).waitFor();
  });

  it('every page in the navigation and every detail page reached from them: no serious axe violation, nothing injected', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    const links = await nav.getByRole('link').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href')!, text: a.textContent ?? '' })));
    expect(links.length).toBeGreaterThanOrEqual(4);
    for (const link of links) {
      const pathname = new URL(link.href, base).pathname;
      const r = patternOf(pathname);
      expect(r, `nav link ${link.href} is a registry page`).toBeDefined();
      await nav.getByRole('link', { name: link.text, exact: true }).click();
      await page.waitForURL((u) => u.pathname === pathname);
      await settled();
      if (r!.path === 'live') await expect.poll(() => page.getByRole('status').filter({ hasText: /^\s*Live$/ }).count(), { timeout: 15_000 }).toBe(1);
      if (!visited.has(r!.path)) visitedUrls.add(pathname);
      visited.add(r!.path);
      await check(r!.path.replace(/[/:]/g, '_'));
      await followDetailLinks(r!.path.replace(/[/:]/g, '_'));
    }
    // The standalone payment (no checkout session) too: its own detail, opened by its id.
    await page.goto(`${base}/portal/payments/${seeded.standalone}`);
    await settled();
    await check('payment-standalone');
    // A page that does not exist.
    await page.goto(`${base}/portal/no-such-page`);
    await page.getByText('This page does not exist').waitFor();
    await check('not-found');

    console.info(`portal pages checked: ${[...visited].join(', ')}`);
    expect(violations, violations.join('\n')).toEqual([]);
    expect(problems).toEqual([]);
    const unvisited = registry.filter((r) => !visited.has(r.path)).map((r) => r.path);
    expect(unvisited, 'registry pages no navigation link or detail link reached').toEqual([]);
  }, 240_000);

  it('on a phone-sized screen (390 px), the same pages: no serious axe violation, and no page wider than the screen (wide tables scroll in their own region)', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const urls = [...visitedUrls];
      expect(urls.length).toBe(visited.size);
      const tooWide: string[] = [];
      for (const url of urls) {
        await page.goto(`${base}${url}`);
        await settled();
        const name = `narrow-${url.replace(/^\/portal\//, '').replace(/[/:]/g, '_')}`;
        violations.push(...describeViolations(name, (await axeViolations(page)).filter(isSerious)));
        const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
        if (width > 390) {
          // Name the outermost elements past the edge (their parent is not) that no scrolling box clips.
          const culprits = (await page.evaluate(`[...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > 391 && e.parentElement && e.parentElement.getBoundingClientRect().right <= 391)
            .filter((e) => {
              // An absolutely positioned element is clipped only by a scrolling box at or inside its containing block.
              let contained = getComputedStyle(e).position !== 'absolute';
              for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                const cs = getComputedStyle(a);
                if (!contained && cs.position !== 'static') contained = true;
                if (contained && cs.overflowX !== 'visible') return false;
              }
              return true;
            })
            .slice(0, 4).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' ' + Math.round(e.getBoundingClientRect().right))`)) as string[];
          tooWide.push(`${url}: ${width} px (${culprits.join(', ')})`);
        }
        await shot(name);
      }
      expect(violations, violations.join('\n')).toEqual([]);
      expect(tooWide).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1100, height: 820 });
    }
  }, 240_000);

  it('the payloads are shown as text where the pages show them', async () => {
    const text = async (path: string, region?: string) => {
      await page.goto(`${base}/portal/${path}`);
      await settled();
      const scope = region ? page.getByRole('region', { name: region }) : page.getByRole('main');
      await scope.waitFor({ timeout: 15_000 });
      return scope.innerText();
    };
    await expect.poll(() => text('live', 'All conversions'), { timeout: 15_000 }).toContain(P.orderReference);
    expect(await page.getByRole('region', { name: 'All conversions' }).innerText()).toContain(P.agentName);
    expect(await text('payments', 'All payments')).toContain('buyer@a11y.example');
    expect(await text(`payments/${seeded.standalone}`)).toContain(P.description);
    const payment = await text(`payments/${seeded.sessionIntent}`);
    expect(payment).toContain(P.refundReason);
    const session = await text(`checkout-sessions/${seeded.sessionId}`);
    for (const s of [P.lineName, P.sku, P.note, P.metadata]) expect(session).toContain(s);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('[data-xss]').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('the CSP: served without unsafe-inline, and an inline script put into the page anyway does not run', async () => {
    const res = await fetch(`${base}/portal/payments`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/(^|;)\s*script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes/);
    await page.evaluate(`(() => { const s = document.createElement('script'); s.textContent = 'window.__xss = 99'; document.body.appendChild(s); s.remove(); })()`);
    await page.evaluate(`(() => { const d = document.createElement('div'); d.innerHTML = '<img src=x onerror="window.__xss=98">'; document.body.appendChild(d); })()`);
    // The image's error event fires (or not) asynchronously: wait for it to have loaded or failed.
    await page.waitForFunction(`[...document.images].every((i) => i.complete)`);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
  });
});
