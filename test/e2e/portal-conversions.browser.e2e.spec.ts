// A merchant's day in the portal's Conversions and payouts page, in Chromium (issue 23): the owner
// signs in and watches a conversion arrive live as an agent-referred payment completes, refunds the
// payment in full from its detail page, and sees the conversion clawed back with the reversing
// ledger entries; a second conversion is settled and its statement and the CSV exports (conversions,
// payouts, a statement) download with what the pages show. An analyst of the same merchant sees
// the payment but cannot refund it; another merchant's owner sees nothing of any of it, in the
// pages and in its own exports. One browser session per user, the whole day in order.
// Screenshots: test/artifacts/portal-conversions/ (gitignored).
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import {
  CheckoutDocument, ConfirmTestPaymentDocument, ConnectPaymentProcessorDocument, CreateApiKeyDocument, CreateMerchantDocument,
  CreateOfferDocument, RecommendDocument, RecordMilestoneDocument, RegisterAgentDocument, RunSettlementDocument, StartAgentSessionDocument,
} from '../generated/graphql.js';
import { invitedUser, PortalBrowsers } from '../support/portal-browser.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { migratedDatabase } from '../support/scratch-database.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/portal-conversions/', import.meta.url));
const PASSWORD = 'correct horse battery staple';
const LIVE = /^\s*Live$/;

// Each step drives a browser and waits on asynchronous work (webhooks, ledger jobs): a bound for a
// shared 2-core machine, not a target.
describe('a merchant’s day: conversions, a refund’s clawback, settlement and exports, in Chromium', { timeout: 120_000 }, () => {
  let handoff: RunningHandoff;
  let scratch: Awaited<ReturnType<typeof migratedDatabase>>;
  let admin: GqlClient;
  let merchant: GqlClient;
  let agent: GqlClient;
  let merchantId: string;
  let otherMerchantId: string;
  let offerId: string;
  let base: string;
  let page: Page;
  let refunded: { paymentId: string; conversionId: string };
  let settled: { paymentId: string; conversionId: string };

  const portal = new PortalBrowsers(ARTIFACTS);
  /** What went wrong on the pages; answers caused on purpose ("<who> <status> <method> <path>"). */
  const { problems, expected } = portal;
  const shot = (p: Page, name: string) => portal.shot(p, name, { axe: false });
  /** A user of `forMerchant` with `role`, made the way an owner's invitation is: the link, then accept. */
  const makeUser = (email: string, role: string, forMerchant: string) => invitedUser(admin, base, { email, role, merchantId: forMerchant, password: PASSWORD });
  const signIn = (email: string, who: string): Promise<Page> =>
    portal.signIn(base, { email, password: PASSWORD }, who, { next: '/conversions', heading: 'Conversions and payouts' });

  /** Agent checkout of A's offer, and the buyer's payment with the sandbox's test card. */
  const agentPayment = async (): Promise<string> => {
    const session = (await agent.ok(StartAgentSessionDocument, { input: { query: '30GB SIM' } })).startAgentSession;
    const rec = (await agent.ok(RecommendDocument, { input: { sessionId: session.id, offerId } })).recommend;
    const { paymentId } = (await agent.ok(CheckoutDocument, { input: { sessionId: session.id, recommendationId: rec.id } })).checkout;
    expect((await merchant.ok(ConfirmTestPaymentDocument, { id: paymentId! })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    return paymentId!;
  };

  /** The row of `paymentId`'s conversion in the list, once it is there (the list is read again on conversionUpdated). */
  const conversionRowOf = async (p: Page, paymentId: string) => {
    const list = p.getByRole('region', { name: 'All conversions' });
    let conversionId = '';
    await expect.poll(async () => {
      for (const row of await list.locator('tr[data-conversion-id]').all()) {
        const id = (await row.getAttribute('data-conversion-id'))!;
        const { conversion } = await merchant.ok(`query($id: ID!) { conversion(id: $id) { paymentIntent { id } } }`, { id });
        if (conversion?.paymentIntent?.id === paymentId) conversionId = id;
      }
      return conversionId;
    }, { timeout: 60_000, interval: 250 }).not.toBe('');
    return { conversionId, row: list.locator(`tr[data-conversion-id="${conversionId}"]`) };
  };

  const download = async (p: Page, button: string): Promise<string> => {
    const [file] = await Promise.all([p.waitForEvent('download') as Promise<Download>, p.getByRole('button', { name: button }).click()]);
    const path = await file.path();
    return readFileSync(path, 'utf8').replace(/^\ufeff/, '');
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Its own database: runSettlement settles every merchant's due conversions (another file's
    // stack on the run's shared database would settle this file's, or this one theirs).
    scratch = await migratedDatabase('portal_conversions_e2e');
    handoff = await startTestHandoff({ databaseUrl: scratch.url, extraEnv: { SANDBOX_PROCESSING_DELAY_MS: '200' } });
    base = handoff.graphqlUrl.replace(/\/graphql$/, '');
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    const newMerchant = async (name: string) => {
      const id = (await admin.ok(CreateMerchantDocument, {
        input: {
          name, country: 'GB', defaultCurrency: 'GBP', validationPeriodDays: 0,
          commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } }, conversionFlow: { type: 'instant_checkout' },
        },
      })).createMerchant.id;
      await admin.ok(ConnectPaymentProcessorDocument, { merchantId: id, input: { provider: 'TEST' } });
      return id;
    };
    merchantId = await newMerchant('SMARTY');
    otherMerchantId = await newMerchant('Ikawaari');
    merchant = admin.as((await admin.ok(CreateApiKeyDocument, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key);
    offerId = (await admin.ok(CreateOfferDocument, {
      input: { merchantId, name: '30GB Rolling Monthly', provider: 'SMARTY', price: { amountMinor: 1000, currency: 'GBP' } },
    })).createOffer.id;
    const agentId = (await admin.ok(RegisterAgentDocument, { input: { name: 'Shopper', builderName: `Acme ${Date.now()}` } })).registerAgent.id;
    agent = admin.as((await admin.ok(CreateApiKeyDocument, { input: { role: 'AGENT', agentId } })).createApiKey.key);
    await makeUser('owner@smarty.example', 'OWNER', merchantId);
    await makeUser('analyst@smarty.example', 'ANALYST', merchantId);
    await makeUser('owner@ikawaari.example', 'OWNER', otherMerchantId);
  });

  afterAll(async () => {
    await portal.close();
    await handoff?.stop();
    await scratch?.drop();
  });

  it('the owner watches a conversion arrive live while its payment completes', async () => {
    page = await signIn('owner@smarty.example', 'owner');
    const list = page.getByRole('region', { name: 'All conversions' });
    await list.getByText('No conversions yet').waitFor({ timeout: 15_000 });
    await page.getByRole('region', { name: 'Settlement statements' }).getByText('Nothing settled yet').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByRole('status').filter({ hasText: LIVE }).count(), { timeout: 15_000 }).toBe(1);
    await shot(page, '10-conversions-empty');

    // No reload from here: the row arrives over conversionUpdated.
    const paymentId = await agentPayment();
    const { conversionId, row } = await conversionRowOf(page, paymentId);
    refunded = { paymentId, conversionId };
    expect(await row.innerText()).toMatch(/Pending/);
    expect(await row.innerText()).toContain('£10.00');
    expect(await row.innerText()).toContain('£8.00');
    expect(await list.getByRole('navigation', { name: 'Conversions pages' }).innerText()).toMatch(/Page 1 · 1 in all/);
    await shot(page, '20-conversion-arrived');
  });

  it('opens the conversion (its milestone and commission entries), refunds its payment in full, and sees the clawback with the reversing entries', async () => {
    await page.getByRole('region', { name: 'All conversions' }).getByRole('link', { name: refunded.conversionId }).click();
    await page.waitForURL(new RegExp(`/portal/conversions/${refunded.conversionId}$`));
    const ledger = page.getByRole('region', { name: 'Ledger entries' });
    await ledger.locator('tr[data-entry-kind="commission"]').first().waitFor({ timeout: 15_000 });
    expect(await page.getByRole('region', { name: 'Milestones' }).innerText()).toContain('payment_received');
    expect(await page.getByRole('region', { name: 'Summary' }).innerText()).toMatch(/Commission\s+£8\.00/);
    const commissionTx = await ledger.locator('tr[data-entry-kind="commission"] td:last-child code').first().innerText();

    await page.getByRole('link', { name: 'Open its payment' }).click();
    await page.waitForURL(new RegExp(`/portal/payments/${refunded.paymentId}$`));
    await page.getByLabel('Refund amount (GBP)').fill('10');
    await page.getByRole('button', { name: 'Refund' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Summary' }).innerText(), { timeout: 15_000 }).toMatch(/Refunded\s+£10\.00/);
    await shot(page, '30-payment-refunded');

    // The refund reaches the ledger asynchronously (PSP webhook → ledger job): the list follows live.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Conversions and payouts' }).click();
    const row = page.getByRole('region', { name: 'All conversions' }).locator(`tr[data-conversion-id="${refunded.conversionId}"]`);
    await expect.poll(async () => ((await row.count()) ? row.innerText() : ''), { timeout: 20_000 }).toMatch(/Clawed back/);
    expect(await row.innerText()).toMatch(/£10\.00\s+£10\.00\s+£0\.00/); // value, refunded, commission
    await row.getByRole('link').click();
    const reversals = page.getByRole('region', { name: 'Ledger entries' }).locator('tr[data-entry-kind="reversal"]');
    await expect.poll(() => reversals.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    for (const text of await reversals.allInnerTexts()) expect(text).toContain(`reverses ${commissionTx}`);
    expect(await page.getByRole('region', { name: 'Summary' }).innerText()).toMatch(/Status\s+Clawed back/);
    await shot(page, '40-conversion-clawed-back');
  });

  it('filters by status and date; a settled conversion’s statement and the three CSV exports download with what the page shows', async () => {
    const paymentId = await agentPayment();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Conversions and payouts' }).click();
    const { conversionId } = await conversionRowOf(page, paymentId);
    settled = { paymentId, conversionId };
    // The instant-checkout flow's payable step, then the day's settlement: the merchant's invoice.
    await merchant.ok(RecordMilestoneDocument, { conversionId, input: { step: 'order_confirmed', status: 'completed' } });
    const batches = (await admin.ok(RunSettlementDocument, { input: { asOf: new Date().toISOString() } })).runSettlement;
    const invoice = batches.find((b) => b.payee === `merchant:${merchantId}`)!;
    expect(invoice.total.amountMinor).toBe(800);

    // Filters: one status; an inverted range is refused before anything is sent.
    const filters = page.getByRole('form', { name: 'Filter conversions' });
    await filters.getByLabel('Status').selectOption('CLAWED_BACK');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    const list = page.getByRole('region', { name: 'All conversions' });
    await expect.poll(() => list.locator('tr[data-conversion-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-conversion-id'))), { timeout: 15_000 })
      .toEqual([refunded.conversionId]);
    expect(new URL(page.url()).search).toBe('?status=CLAWED_BACK'); // the filter is in the URL: a reload or a link keeps it
    const today = new Date().toISOString().slice(0, 10);
    await filters.getByLabel('From (UTC)').fill(today);
    await filters.getByLabel('To (UTC)').fill('2000-01-01');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await filters.getByText('“From” must be on or before “To”').waitFor();
    await filters.getByLabel('To (UTC)').fill(today);
    await filters.getByLabel('Status').selectOption('');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => list.locator('tr[data-conversion-id]').count(), { timeout: 15_000 }).toBe(2);
    // Newest first (conversions(order: CREATED_DESC)): the settled one was made after the refunded one.
    expect(await list.locator('tr[data-conversion-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-conversion-id')))).toEqual([settled.conversionId, refunded.conversionId]);
    expect(await list.locator('caption').textContent()).toBe('All conversions, newest first');

    const conversionsCsv = await download(page, 'Export conversions (CSV)');
    const lines = conversionsCsv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^conversion_id,created_at,status,path,verification,order_reference,currency,transaction_value,refunded,commission,/);
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([settled.conversionId, refunded.conversionId]); // as the page lists them
    expect(lines.find((l) => l.startsWith(`${refunded.conversionId},`))).toMatch(/,CLAWED_BACK,VERIFIED_PAYMENT,verified,[^,]*,GBP,10\.00,10\.00,0\.00,/);
    expect(lines.find((l) => l.startsWith(`${settled.conversionId},`))).toMatch(/,PAYABLE,VERIFIED_PAYMENT,verified,[^,]*,GBP,10\.00,0\.00,8\.00,/);
    await page.getByText(`Saved conversions-${today}-to-${today}.csv (2 rows).`).waitFor();

    // The settlement batch: a reload shows it (settlements are not pushed live).
    await page.reload();
    expect(await filters.getByLabel('From (UTC)').inputValue()).toBe(today);
    await expect.poll(() => list.locator('tr[data-conversion-id]').count(), { timeout: 15_000 }).toBe(2);
    const settlements = page.getByRole('region', { name: 'Settlement statements' });
    const batchRow = settlements.locator(`tr[data-batch-id="${invoice.id}"]`);
    await batchRow.waitFor({ timeout: 15_000 });
    expect(await batchRow.innerText()).toMatch(/Open\s+1\s+£8\.00/);
    expect(await settlements.locator('tr[data-batch-id]').count()).toBe(1);
    await batchRow.getByRole('button', { name: /View statement/ }).click();
    const statement = settlements.locator(`[data-statement-id="${invoice.id}"]`);
    const line = statement.locator(`tr[data-conversion-id="${settled.conversionId}"]`);
    await line.waitFor({ timeout: 15_000 });
    expect(await line.getAttribute('data-line-kind')).toBe('commission');
    expect(await line.innerText()).toMatch(/Commission\s+£8\.00\s+Payable\s+£10\.00/); // the line's own amount, then the conversion now
    expect(await statement.innerText()).toMatch(/Total\s+£8\.00/);
    expect(await batchRow.getByRole('button', { name: /Hide statement/ }).getAttribute('aria-expanded')).toBe('true');
    await shot(page, '50-settlement-statement');

    const statementCsv = (await download(page, 'Export statement (CSV)')).trimEnd().split('\r\n');
    expect(statementCsv).toHaveLength(2);
    expect(statementCsv[0]).toMatch(/^batch_id,period,batch_status,batch_total,line_kind,line_amount,conversion_id,/);
    expect(statementCsv[1]).toMatch(new RegExp(`^${invoice.id},${invoice.period},OPEN,8\\.00,commission,8\\.00,${settled.conversionId},`));
    const payoutsCsv = (await download(page, 'Export payouts (CSV)')).trimEnd().split('\r\n');
    expect(payoutsCsv).toEqual(['batch_id,period,payee_type,status,currency,total,line_count,created_at,paid_at', expect.stringMatching(new RegExp(`^${invoice.id},${invoice.period},merchant,OPEN,GBP,8\\.00,1,`))]);
  });

  it('an analyst sees the conversions and the payment but cannot refund it', async () => {
    const analyst = await signIn('analyst@smarty.example', 'analyst');
    await analyst.getByRole('region', { name: 'All conversions' }).locator(`tr[data-conversion-id="${settled.conversionId}"]`).waitFor({ timeout: 15_000 });
    await analyst.goto(`${base}/portal/payments/${settled.paymentId}`);
    await expect.poll(() => analyst.getByRole('region', { name: 'Summary' }).innerText(), { timeout: 15_000 }).toMatch(/Status\s+Succeeded/);
    await analyst.getByRole('region', { name: 'Timeline' }).waitFor();
    expect(await analyst.getByRole('button', { name: 'Refund' }).count()).toBe(0);
    expect(await analyst.getByLabel('Refund amount (GBP)').count()).toBe(0);
    // The gateway refuses it anyway, from the analyst's own cookie and CSRF token.
    expected.add('analyst 403 POST /graphql');
    const code = await analyst.evaluate(async (id) => {
      const { csrfToken } = (await (await fetch('/portal/api/session')).json()) as { csrfToken: string };
      const r = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
        body: JSON.stringify({ query: 'mutation($id: ID!) { refundPaymentIntent(id: $id) { id } }', variables: { id } }),
      });
      return ((await r.json()) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code;
    }, settled.paymentId);
    expect(code).toBe('ROLE_FORBIDDEN');
    const { paymentIntent } = await merchant.ok(`query($id: ID!) { paymentIntent(id: $id) { amountRefunded { amountMinor } } }`, { id: settled.paymentId });
    expect(paymentIntent.amountRefunded.amountMinor).toBe(0);
    await shot(analyst, '60-payment-analyst');
  });

  it('another merchant’s owner sees nothing of it: no conversions, no statements, an empty export, no detail by id', async () => {
    const other = await signIn('owner@ikawaari.example', 'other');
    await other.getByRole('region', { name: 'All conversions' }).getByText('No conversions yet').waitFor({ timeout: 15_000 });
    await other.getByRole('region', { name: 'Settlement statements' }).getByText('Nothing settled yet').waitFor({ timeout: 15_000 });
    const csv = (await download(other, 'Export conversions (CSV)')).trimEnd().split('\r\n');
    expect(csv).toHaveLength(1); // the header only
    await shot(other, '70-other-merchant');
    await other.goto(`${base}/portal/conversions/${refunded.conversionId}`);
    await other.getByText('No such conversion').waitFor({ timeout: 15_000 });
    expect(await other.locator('tr[data-entry-kind]').count()).toBe(0);
  });

  it('raised no script error and no unexpected HTTP failure', () => {
    expect(problems).toEqual([]);
  });
});
