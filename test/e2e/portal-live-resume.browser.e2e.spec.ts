// The portal's Live page across a dropped WebSocket (issue 23: "conversions arriving over
// conversionUpdated, resumable after a reconnect without gaps or duplicates"). In Chromium, the
// page's WebSocket is watched (a wrapper installed before the portal's own script, which records
// the frames and can drop the socket, and refuse new ones for a while); conversions are reported
// before the drop, while the page is disconnected, and while it reconnects. Every one appears in
// "Conversions as they happen" exactly once; the resubscription after the reconnect asked for what
// came after the last cursor the page had seen, and no event arrived twice.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.js';
import { setUpWorld, type World } from '../support/subscriptions.js';

const PASSWORD = 'correct horse battery staple';
const EMAIL = 'owner@live-resume.example';
const REPORT = `mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id } }`;
const INVITE = `mutation($input: InviteMerchantUserInput!) { inviteMerchantUser(input: $input) { acceptUrl } }`;

/**
 * Runs in the page before its scripts (over CDP, so the CSP does not apply to it). `drop()` closes
 * the open sockets with 4499 (graphql-ws's own "terminated": it retries); while `block` is set, a
 * new socket is closed the moment it opens, before graphql-ws can subscribe on it.
 */
const SOCKET_SPY = `(() => {
  const Native = window.WebSocket;
  const spy = { sockets: [], block: false, sent: [], received: [] };
  spy.drop = () => spy.sockets.forEach((s) => s.readyState === Native.OPEN && s.close(4499, 'dropped by the test'));
  window.__wsSpy = spy;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const n = spy.sockets.push(this) - 1;
      const send = this.send.bind(this);
      this.send = (data) => { spy.sent.push({ n, data: String(data) }); send(data); };
      this.addEventListener('open', () => { if (spy.block) this.close(4499, 'refused by the test'); });
      this.addEventListener('message', (e) => spy.received.push({ n, data: String(e.data) }));
    }
  };
})()`;

interface Frame {
  n: number;
  data: string;
}

describe('portal Live page: conversions resume after a dropped WebSocket', () => {
  let w: World;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    w = await setUpWorld();
    base = w.handoff.gatewayUrl;
    const { inviteMerchantUser } = await w.admin.ok(INVITE, { input: { email: EMAIL, role: 'OWNER', merchantId: w.merchantA.id } });
    const token = new URL(inviteMerchantUser.acceptUrl as string).pathname.split('/').pop()!;
    const accepted = await fetch(`${base}/portal/api/invitations/${token}/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Live Owner', password: PASSWORD }),
    });
    expect(accepted.status).toBe(200);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.addInitScript(SOCKET_SPY);
    await page.goto(`${base}/portal/login?next=%2Flive`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Live', level: 1 }).waitFor({ timeout: 15_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await w?.handoff.stop();
  });

  it('every conversion reported before, during and after the drop appears exactly once; the resubscription resumes from the last cursor', async () => {
    const status = () => page.locator('.connection').innerText();
    const live = page.getByRole('region', { name: 'Conversions as they happen' });
    const ids: string[] = [];
    const report = async (i: number) => {
      const { reportConversion } = await w.merchantA.http.ok(REPORT, {
        input: { sessionId: w.agent.sessionId, orderReference: `resume-${i}`, transactionValue: { amountMinor: 1000 + i, currency: 'GBP' } },
      });
      ids.push(reportConversion.id as string);
    };
    const shown = (id: string) => live.locator(`tr[data-conversion-id="${id}"]`).count();

    await expect.poll(status, { timeout: 15_000 }).toMatch(/^\s*Live$/);
    // Before the drop: seen live.
    for (let i = 1; i <= 3; i++) await report(i);
    for (const id of ids) await expect.poll(() => shown(id), { timeout: 15_000 }).toBe(1);
    const beforeDrop = ids.length;

    // The socket drops and new ones are refused: reported meanwhile, nothing can arrive.
    await page.evaluate('window.__wsSpy.block = true; window.__wsSpy.drop()');
    await expect.poll(status, { timeout: 15_000 }).toMatch(/Reconnecting/);
    for (let i = 4; i <= 7; i++) await report(i);
    expect(await page.evaluate('window.__wsSpy.sockets.filter((s) => s.readyState === WebSocket.OPEN).length')).toBe(0);
    for (const id of ids.slice(beforeDrop)) expect(await shown(id)).toBe(0);

    // Let it reconnect, reporting more while it does.
    await page.evaluate('window.__wsSpy.block = false');
    for (let i = 8; i <= 12; i++) await report(i);
    await expect.poll(status, { timeout: 30_000 }).toMatch(/^\s*Live$/);
    for (const id of ids) await expect.poll(() => shown(id), { timeout: 30_000 }).toBe(1);
    expect(await live.locator('tr[data-conversion-id]').count()).toBe(ids.length);
    // The paged list below agrees.
    await expect.poll(() => page.getByRole('region', { name: 'All conversions' }).getByRole('navigation', { name: 'Conversions pages' }).innerText(), { timeout: 15_000 }).toMatch(
      new RegExp(`${ids.length} in all`),
    );

    // The frames: what the page subscribed with on each socket, and every conversion event it got.
    const sent = (await page.evaluate('window.__wsSpy.sent')) as Frame[];
    const received = (await page.evaluate('window.__wsSpy.received')) as Frame[];
    const subscriptions = sent
      .map((f) => ({ n: f.n, msg: JSON.parse(f.data) }))
      .filter(({ msg }) => msg.type === 'subscribe' && String(msg.payload?.query).includes('conversionUpdated'))
      .map(({ n, msg }) => ({ n, id: msg.id as string, after: msg.payload.variables?.after as string | undefined }));
    expect(subscriptions.length).toBeGreaterThanOrEqual(2);
    const subscribed = new Set(subscriptions.map((s) => `${s.n}/${s.id}`));
    const events = received
      .map((f) => ({ n: f.n, msg: JSON.parse(f.data) }))
      .filter(({ n, msg }) => msg.type === 'next' && subscribed.has(`${n}/${msg.id}`))
      .map(({ n, msg }) => ({ n, cursor: msg.payload.extensions?.cursor as string, id: msg.payload.data?.conversionUpdated?.id as string }));
    // Every reported conversion came over the subscription; no event came twice; in cursor order.
    expect(new Set(events.map((e) => e.id))).toEqual(new Set(ids));
    const cursors = events.map((e) => BigInt(e.cursor));
    expect(new Set(cursors.map(String)).size).toBe(cursors.length);
    for (let i = 1; i < cursors.length; i++) expect(cursors[i]! > cursors[i - 1]!).toBe(true);
    // The first subscription started live; the one after the reconnect asked for what came after
    // the last event the first socket delivered.
    const [first, ...later] = subscriptions;
    expect(first!.after).toBeUndefined();
    const lastBeforeDrop = events.filter((e) => e.n === first!.n).at(-1)!;
    expect(later[0]!.after).toBe(lastBeforeDrop.cursor);
    // The conversions reported while the page was down came on the new socket (the replay).
    const onNewSocket = new Set(events.filter((e) => e.n !== first!.n).map((e) => e.id));
    for (const id of ids.slice(beforeDrop, 7)) expect(onNewSocket.has(id)).toBe(true);
  }, 180_000);
});
