// bench:portal — issue 23's "fast" target for the merchant portal: the first load's compressed
// JavaScript (≤ 300 KB) and the time to interactive (≤ 1.5 s) in Chromium against the local stack.
// Handoff whole as separate processes from dist/ (bench/src/harness, the machine's PostgreSQL and
// Redis, a fresh database removed at the end); the gateway serves the built portal (portal/dist)
// exactly as in production (gzip, immutable assets). A merchant with conversions and payments,
// and an owner who signs in.
//
// Each run is a fresh browser context (empty cache, no cookie), in one Chromium (/usr/bin/chromium,
// headless, as the e2e tests):
//   1. navigation start → sign-in page interactive: `/portal/login` opened, until its Email field
//      is in the page and enabled (performance.now(), from the navigation's time origin);
//   2. sign-in → Overview rendered with data: from the click on "Sign in" (the form filled) until
//      the Overview's key figures show the seeded conversion count and its chart has drawn.
//   Bytes: every /portal/assets/*.js response during step 1 (the first load) and steps 1 + 2, as
//   sent (Content-Length of the gzip body; Content-Encoding checked) — and, for comparison, the
//   same files' brotli size (the gateway sends gzip only).
// Medians over the runs (the first run is a warm-up and not counted: Chromium's own start-up).
//
//   npm run bench:portal                 # 7 runs (+1 warm-up); prints the table for bench/RESULTS.md
//   npm run bench:portal -- --runs 15
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSystemHandoff } from '../harness/harness.js';
import { gqlRetried, setUpCommerceWorld } from '../harness/world.js';

const argValue = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(argValue('runs') ?? 7);
const CONVERSIONS = 12;
const PAYMENTS = 6;
const BUDGET_BYTES = 300 * 1024;
const BUDGET_MS = 1500;
const PASSWORD = 'bench portal password';
const EMAIL = 'owner@bench-portal.example';
const DIST = fileURLToPath(new URL('../../../portal/dist/', import.meta.url));
const log = (m: string) => process.stderr.write(`[bench:portal] ${m}\n`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function seed(graphqlUrl: string, gatewayUrl: string, adminKey: string): Promise<void> {
  const world = await setUpCommerceWorld(graphqlUrl, adminKey, 'Portal Bench');
  const asMerchant = <R = any>(q: string, v?: Record<string, unknown>) => gqlRetried<R>(graphqlUrl, world.merchant.key, q, v);
  const asAgent = <R = any>(q: string, v?: Record<string, unknown>) => gqlRetried<R>(graphqlUrl, world.agent.key, q, v);
  for (let i = 0; i < CONVERSIONS; i++) {
    const session = (await asAgent(`mutation { startAgentSession(input: { query: "a SIM plan" }) { id } }`)).startAgentSession.id as string;
    await asAgent(`mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`, { s: session, o: world.offerId });
    await asMerchant(`mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id } }`, {
      input: { sessionId: session, orderReference: `bench-${i}`, transactionValue: { amountMinor: 1000 + i * 100, currency: 'GBP' } },
    });
  }
  for (let i = 0; i < PAYMENTS; i++) {
    const created = await asMerchant(`mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { paymentIntent { id } } }`, {
      input: { lineItems: [{ name: `Plan ${i}`, unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1 }], customerEmail: `buyer${i}@bench.example` },
    });
    await asMerchant(`mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { id } }`, { id: created.createCheckoutSession.paymentIntent.id });
  }
  const invited = await gqlRetried(graphqlUrl, adminKey, `mutation($input: InviteMerchantUserInput!) { inviteMerchantUser(input: $input) { acceptUrl } }`, {
    input: { email: EMAIL, role: 'OWNER', merchantId: world.merchant.id },
  });
  const token = new URL(invited.inviteMerchantUser.acceptUrl as string).pathname.split('/').pop()!;
  const res = await fetch(`${gatewayUrl}/portal/api/invitations/${token}/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench Owner', password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`accepting the owner's invitation: ${res.status} ${await res.text()}`);
}

/**
 * Installed before the portal's scripts (over CDP: the page's CSP, which refuses eval and so
 * Playwright's waitForFunction, does not apply): a MutationObserver notes performance.now() (from
 * the navigation's time origin) the first time the sign-in form is usable, and the first time the
 * Overview shows the seeded conversions with its chart drawn. Read afterwards, so the moment is
 * the page's own, not the test's polling.
 */
const MARKS = `(() => {
  const marks = (window.__marks = {});
  const check = () => {
    if (marks.login === undefined) {
      const e = document.getElementById('login-email');
      if (e && !e.disabled) marks.login = performance.now();
    }
    if (marks.overview === undefined && marks.clicked !== undefined) {
      const tile = [...document.querySelectorAll('.tile')].find((t) => t.querySelector('dt') && t.querySelector('dt').textContent === 'Conversions');
      const value = tile && tile.querySelector('.tile-value') && tile.querySelector('.tile-value').textContent.trim();
      if (value === '${CONVERSIONS}' && document.querySelector('.chart canvas')) marks.overview = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
})()`;

async function mark(page: Page, name: 'login' | 'overview'): Promise<number> {
  const started = Date.now();
  for (;;) {
    const at = (await page.evaluate(`window.__marks && window.__marks.${name}`)) as number | undefined;
    if (typeof at === 'number') return at;
    if (Date.now() - started > 30_000) throw new Error(`the ${name} mark never came (${page.url()})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Run {
  loginInteractiveMs: number;
  overviewMs: number;
  /** The page's main-thread busy time (CDP Performance.getMetrics TaskDuration) up to the sign-in form, and in all. */
  loginTaskMs: number;
  totalTaskMs: number;
  /** POST /portal/api/login: request sent → response's first byte (argon2id verification on the server). */
  loginApiMs: number;
  firstLoadJs: Map<string, number>;
  throughOverviewJs: Map<string, number>;
}

async function oneRun(browser: Browser, base: string): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 820 }, locale: 'en-GB' });
  const page: Page = await context.newPage();
  const js = new Map<string, number>();
  const errors: string[] = [];
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskMs = async () => 1000 * ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN);
  let loginApiMs = NaN;
  page.on('requestfinished', (req) => {
    if (new URL(req.url()).pathname !== '/portal/api/login') return;
    const t = req.timing();
    loginApiMs = t.responseStart - t.requestStart;
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', async (r) => {
    const path = new URL(r.url()).pathname;
    if (!path.startsWith('/portal/assets/') || !path.endsWith('.js')) return;
    const h = await r.allHeaders();
    if (h['content-encoding'] !== 'gzip') errors.push(`${path} sent without gzip (${h['content-encoding'] ?? 'identity'})`);
    js.set(path, Number(h['content-length'] ?? NaN));
  });
  try {
    await page.addInitScript(MARKS);
    await page.goto(`${base}/portal/login?next=%2Foverview`, { waitUntil: 'commit' });
    const loginInteractiveMs = await mark(page, 'login');
    const loginTaskMs = await taskMs();
    // The sign-in page's responses are all in by its load event (their handlers, just after).
    await page.waitForLoadState('load');
    await new Promise((r) => setTimeout(r, 200));
    const firstLoadJs = new Map(js);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.evaluate('window.__marks.clicked = performance.now()');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const overviewAt = await mark(page, 'overview');
    const clickedAt = (await page.evaluate('window.__marks.clicked')) as number;
    const totalTaskMs = await taskMs();
    if (errors.length) throw new Error(`the portal misbehaved: ${errors.join('; ')}`);
    return { loginInteractiveMs, overviewMs: overviewAt - clickedAt, loginTaskMs, totalTaskMs, loginApiMs, firstLoadJs, throughOverviewJs: new Map(js) };
  } finally {
    await context.close();
  }
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + n, 0);
const brotliOf = (paths: Iterable<string>) =>
  [...paths].reduce((s, p) => s + brotliCompressSync(readFileSync(`${DIST}${p.slice('/portal/'.length)}`), { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length, 0);
const rawOf = (paths: Iterable<string>) => [...paths].reduce((s, p) => s + readFileSync(`${DIST}${p.slice('/portal/'.length)}`).length, 0);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function main() {
  log(`load before start ${load()}`);
  const h = await startSystemHandoff({ databasePrefix: 'bench_portal' });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    await seed(h.graphqlUrl, h.gatewayUrl, h.adminKey);
    log(`seeded (${CONVERSIONS} conversions, ${PAYMENTS} payments); load ${load()}`);
    const loads: number[] = [];
    const runs: Run[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const r = await oneRun(browser, h.gatewayUrl);
      loads.push(loadavg()[0]!);
      log(`run ${i}${i === 0 ? ' (warm-up, not counted)' : ''}: sign-in interactive ${r.loginInteractiveMs.toFixed(0)} ms, sign-in → Overview ${r.overviewMs.toFixed(0)} ms (login API ${r.loginApiMs.toFixed(0)} ms; main thread ${r.loginTaskMs.toFixed(0)}/${r.totalTaskMs.toFixed(0)} ms), first-load JS ${kb(sum(r.firstLoadJs))}; load ${load()}`);
      if (i > 0) runs.push(r);
    }
    const first = runs[0]!;
    const firstBytes = median(runs.map((r) => sum(r.firstLoadJs)));
    const throughBytes = median(runs.map((r) => sum(r.throughOverviewJs)));
    const login = runs.map((r) => r.loginInteractiveMs);
    const overview = runs.map((r) => r.overviewMs);
    const total = runs.map((r) => r.loginInteractiveMs + r.overviewMs);
    const row = (what: string, xs: number[]) => `| ${what} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} | ${median(xs) <= BUDGET_MS ? 'yes' : 'no'} |`;
    const out = [
      `Produced by \`npm run bench:portal${RUNS === 7 ? '' : ` -- --runs ${RUNS}`}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${RUNS} runs (+1 warm-up), each a fresh browser context (cold cache), Chromium ${browser.version()} headless, Node ${process.version}; load average (1 min) during the runs ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} on ${(await import('node:os')).cpus().length} cores.`,
      '',
      '| JavaScript | files | gzip as served | brotli (same files, for comparison) | raw | budget 300 KB met |',
      '|---|---|---|---|---|---|',
      `| first load (sign-in page) | ${first.firstLoadJs.size} | ${kb(firstBytes)} | ${kb(brotliOf(first.firstLoadJs.keys()))} | ${kb(rawOf(first.firstLoadJs.keys()))} | ${firstBytes <= BUDGET_BYTES ? 'yes' : 'no'} |`,
      `| through Overview (adds its page chunk and uPlot) | ${first.throughOverviewJs.size} | ${kb(throughBytes)} | ${kb(brotliOf(first.throughOverviewJs.keys()))} | ${kb(rawOf(first.throughOverviewJs.keys()))} | ${throughBytes <= BUDGET_BYTES ? 'yes' : 'no'} |`,
      '',
      '| time (ms) | median | min–max | ≤ 1.5 s |',
      '|---|---|---|---|',
      row('navigation start → sign-in page interactive', login),
      row('"Sign in" clicked → Overview rendered with data', overview),
      row('both together', total),
      '',
      '| where the time went (ms, medians) | |',
      '|---|---|',
      `| page main-thread busy (TaskDuration) until the sign-in form | ${median(runs.map((r) => r.loginTaskMs)).toFixed(0)} |`,
      `| page main-thread busy in all, through Overview | ${median(runs.map((r) => r.totalTaskMs)).toFixed(0)} |`,
      `| POST /portal/api/login, request → first byte (argon2id on the server) | ${median(runs.map((r) => r.loginApiMs)).toFixed(0)} |`,
    ].join('\n');
    process.stdout.write(`${out}\n`);
  } finally {
    await browser.close();
    await h.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
