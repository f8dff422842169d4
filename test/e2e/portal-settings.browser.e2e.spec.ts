// The portal's Settings page in Chromium (issue 23): risk rules and transaction limits. An owner
// sees the values set through the API, changes a rule, adds one and changes limits, saves, reloads
// and sees them stored (read back through GraphQL with the merchant's API key too); a value the
// server refuses shows its stable code beside the field and nothing is written; an analyst reads
// the same forms disabled with no save buttons, and the server refuses the mutation it forges
// (ROLE_FORBIDDEN); a checkout beyond the new limit is refused (TRANSACTION_LIMIT_EXCEEDED) and
// one above the new rule's amount is held for review, so the settings really take effect.
// Each screenshot's state is checked with axe-core too (serious and critical violations fail).
// Screenshots: test/artifacts/portal-settings/ (gitignored).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { invitedUser, PortalBrowsers } from '../support/portal-browser.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { migratedDatabase } from '../support/scratch-database.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/portal-settings/', import.meta.url));
const PASSWORD = 'correct horse battery staple';
const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const SET_RULES = `mutation($input: RiskRulesInput!) { setRiskRules(input: $input) { version } }`;
const SET_LIMITS = `mutation($m: ID!, $input: TransactionLimitsInput!) { setTransactionLimits(merchantId: $m, input: $input) { updatedAt } }`;
const READ = `query { riskRules { version reviewAt rules { id type enabled score action signal windowSeconds maxPayments amount { amountMinor currency } } }
  transactionLimits { maxAmountPerPayment { amountMinor currency } maxAmountPerDay { amountMinor } maxPaymentsPerEmailPerHour } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntentId } }`;
const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { id status } }`;
const INTENT = `query($id: ID!) { paymentIntent(id: $id) { status risk { action ruleIds } } }`;
/** Each step waits on conditions only; this bounds a step on a machine shared by many test runs. */
const STEP_TIMEOUT = 240_000;
const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

describe('Settings: risk rules and transaction limits in Chromium', () => {
  let scratch: Awaited<ReturnType<typeof migratedDatabase>>;
  let handoff: RunningHandoff;
  let admin: GqlClient;
  let shop: GqlClient;
  let merchantId: string;
  let base: string;
  let owner: Page;
  const portal = new PortalBrowsers(ARTIFACTS);
  /** What went wrong on the pages; answers caused on purpose ("<who> <status> <method> <path>"); axe-core's serious findings. */
  const { problems, expected, inaccessible } = portal;
  const shot = (p: Page, name: string) => portal.shot(p, name);
  const makeUser = (email: string, role: string) => invitedUser(admin, base, { email, role, merchantId, password: PASSWORD });
  const signIn = async (email: string, who: string): Promise<Page> => {
    const p = await portal.signIn(base, { email, password: PASSWORD }, who, { next: '/settings', heading: 'Settings' });
    await p.getByRole('form', { name: 'Risk rules' }).waitFor({ timeout: 45_000 });
    await p.getByRole('form', { name: 'Transaction limits' }).waitFor({ timeout: 45_000 });
    return p;
  };

  /** Rule n (1-based) of the risk rules form. */
  const rule = (p: Page, n: number) => p.getByRole('form', { name: 'Risk rules' }).locator(`fieldset[data-risk-rule="${n - 1}"]`);
  const stored = async () => shop.ok(READ);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    scratch = await migratedDatabase('portal_settings');
    handoff = await startTestHandoff({ databaseUrl: scratch.url });
    base = handoff.gatewayUrl;
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    merchantId = (
      await admin.ok(CREATE_MERCHANT, {
        input: { name: 'Careful Ltd', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
      })
    ).createMerchant.id;
    await admin.ok(CONNECT, { m: merchantId });
    shop = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key as string);
    // What the owner finds: one velocity rule, a review threshold and a limit, set through the API.
    await shop.ok(SET_RULES, { input: { reviewAt: 50, rules: [{ id: 'fast-email', type: 'VELOCITY', signal: 'EMAIL', windowSeconds: 3600, maxPayments: 5, score: 20 }] } });
    await shop.ok(SET_LIMITS, { m: merchantId, input: { maxAmountPerPayment: gbp(100_000) } });
    await makeUser('owner@careful.example', 'OWNER');
    await makeUser('analyst@careful.example', 'ANALYST');
    owner = await signIn('owner@careful.example', 'owner');
  }, 180_000);

  afterAll(async () => {
    await portal.close();
    await handoff?.stop();
    await scratch?.drop();
  });

  it('an owner sees the stored values, changes a rule, adds one and changes the limits; after a reload they are stored', async () => {
    const risk = owner.getByRole('form', { name: 'Risk rules' });
    const limits = owner.getByRole('form', { name: 'Transaction limits' });
    expect(await risk.getByLabel('Review at score (optional)').inputValue()).toBe('50');
    expect(await rule(owner, 1).getByLabel('Rule name').inputValue()).toBe('fast-email');
    expect(await rule(owner, 1).getByLabel('Score (0-100)').inputValue()).toBe('20');
    expect(await rule(owner, 1).getByLabel('Window (seconds)').inputValue()).toBe('3600');
    expect(await limits.getByLabel('Most per payment (GBP, optional)').inputValue()).toBe('1000.00');
    expect(await limits.getByLabel('Most per day (GBP, optional)').inputValue()).toBe('');
    await shot(owner, '10-risk-and-limits-stored');

    await rule(owner, 1).getByLabel('Score (0-100)').fill('35');
    await rule(owner, 1).getByLabel('Window (seconds)').fill('1800');
    await risk.getByRole('button', { name: 'Add a rule' }).click();
    await rule(owner, 2).getByLabel('Rule name').fill('big-orders');
    await rule(owner, 2).getByLabel('Kind').selectOption('AMOUNT_ABOVE');
    await rule(owner, 2).getByLabel('Matches above (GBP)').fill('200');
    await rule(owner, 2).getByLabel('Action when it matches').selectOption('REVIEW');
    await risk.getByRole('button', { name: 'Save risk rules' }).click();
    await risk.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ timeout: 45_000 });
    await expect.poll(() => risk.getByTestId('risk-now').innerText(), { timeout: 45_000 }).toMatch(/^Now: 2 rule\(s\), 2 enabled \(version 2,/);

    await limits.getByLabel('Most per payment (GBP, optional)').fill('500');
    await limits.getByLabel('Payments per customer email per hour (optional)').fill('4');
    // Keyboard only: Enter in a field submits its form.
    await limits.getByLabel('Payments per customer email per hour (optional)').press('Enter');
    await limits.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ timeout: 45_000 });
    await expect.poll(() => limits.getByTestId('limits-now').innerText(), { timeout: 45_000 }).toMatch(/^Now: at most £500\.00 a payment, 4 payment\(s\) per customer email an hour/);
    await shot(owner, '20-risk-and-limits-saved');

    await owner.reload();
    await owner.getByRole('form', { name: 'Risk rules' }).waitFor({ timeout: 45_000 });
    await rule(owner, 2).waitFor({ timeout: 45_000 });
    expect(await rule(owner, 1).getByLabel('Score (0-100)').inputValue()).toBe('35');
    expect(await rule(owner, 1).getByLabel('Window (seconds)').inputValue()).toBe('1800');
    expect(await rule(owner, 2).getByLabel('Rule name').inputValue()).toBe('big-orders');
    expect(await rule(owner, 2).getByLabel('Kind').inputValue()).toBe('AMOUNT_ABOVE');
    expect(await rule(owner, 2).getByLabel('Matches above (GBP)').inputValue()).toBe('200.00');
    expect(await rule(owner, 2).getByLabel('Action when it matches').inputValue()).toBe('REVIEW');
    await owner.getByRole('form', { name: 'Transaction limits' }).waitFor({ timeout: 45_000 });
    expect(await owner.getByLabel('Most per payment (GBP, optional)').inputValue()).toBe('500.00');
    expect(await owner.getByLabel('Payments per customer email per hour (optional)').inputValue()).toBe('4');

    expect(await stored()).toEqual({
      riskRules: {
        version: 2,
        reviewAt: 50,
        rules: [
          { id: 'fast-email', type: 'VELOCITY', enabled: true, score: 35, action: null, signal: 'EMAIL', windowSeconds: 1800, maxPayments: 5, amount: null },
          { id: 'big-orders', type: 'AMOUNT_ABOVE', enabled: true, score: 0, action: 'REVIEW', signal: null, windowSeconds: null, maxPayments: null, amount: gbp(20_000) },
        ],
      },
      transactionLimits: { maxAmountPerPayment: gbp(50_000), maxAmountPerDay: null, maxPaymentsPerEmailPerHour: 4 },
    });
  }, STEP_TIMEOUT);

  it('a value the server refuses shows its stable code beside the field, and nothing is written', async () => {
    const before = await stored();
    expected.add('owner 400 POST /graphql');
    const risk = owner.getByRole('form', { name: 'Risk rules' });
    const windowInput = rule(owner, 1).getByLabel('Window (seconds)');
    await windowInput.fill('10');
    await risk.getByRole('button', { name: 'Save risk rules' }).click();
    const windowProblem = rule(owner, 1).locator('[id$="-window-problem"]');
    await windowProblem.waitFor({ timeout: 45_000 });
    expect(await windowProblem.getAttribute('data-error-code')).toBe('BAD_USER_INPUT');
    expect(await windowProblem.innerText()).toMatch(/^BAD_USER_INPUT input\.rules\[0\]\.windowSeconds: must be an integer from 60 to 2592000/);
    expect(await windowInput.getAttribute('aria-invalid')).toBe('true');
    expect(await windowInput.getAttribute('aria-describedby')).toContain(await windowProblem.getAttribute('id'));
    expect(await risk.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(0);

    const limits = owner.getByRole('form', { name: 'Transaction limits' });
    const perEmail = limits.getByLabel('Payments per customer email per hour (optional)');
    await perEmail.fill('0');
    await limits.getByRole('button', { name: 'Save transaction limits' }).click();
    const perEmailProblem = owner.locator('#limits-per-email-problem');
    await perEmailProblem.waitFor({ timeout: 45_000 });
    expect(await perEmailProblem.getAttribute('data-error-code')).toBe('BAD_USER_INPUT');
    expect(await perEmailProblem.innerText()).toMatch(/^BAD_USER_INPUT input\.maxPaymentsPerEmailPerHour: /);
    expect(await perEmail.getAttribute('aria-invalid')).toBe('true');
    await shot(owner, '30-refused-inline');
    expect(await stored()).toEqual(before);

    // Not a number at all: the page says so itself and sends nothing.
    await limits.getByLabel('Most per day (GBP, optional)').fill('lots');
    await limits.getByRole('button', { name: 'Save transaction limits' }).click();
    await owner.locator('#limits-per-day-problem').filter({ hasText: 'Enter an amount such as 12.50' }).waitFor({ timeout: 45_000 });
    expect(await stored()).toEqual(before);
  }, STEP_TIMEOUT);

  it('an analyst reads the values with no write controls, and the server refuses its forged mutation', async () => {
    const analyst = await signIn('analyst@careful.example', 'analyst');
    await rule(analyst, 2).waitFor({ timeout: 45_000 });
    expect(await rule(analyst, 1).getByLabel('Score (0-100)').inputValue()).toBe('35');
    expect(await rule(analyst, 1).getByLabel('Score (0-100)').isDisabled()).toBe(true);
    expect(await rule(analyst, 2).getByLabel('Rule name').inputValue()).toBe('big-orders');
    expect(await analyst.getByLabel('Most per payment (GBP, optional)').inputValue()).toBe('500.00');
    expect(await analyst.getByLabel('Most per payment (GBP, optional)').isDisabled()).toBe(true);
    expect(await analyst.getByRole('button', { name: /^(Save risk rules|Save transaction limits|Add a rule|Remove rule)/ }).count()).toBe(0);
    await shot(analyst, '40-analyst-read-only');

    expected.add('analyst 403 POST /graphql');
    const forged = await analyst.evaluate(async (m) => {
      const session = (await (await fetch('/portal/api/session')).json()) as { csrfToken: string };
      const r = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ query: 'mutation($m: ID!) { setTransactionLimits(merchantId: $m, input: { maxAmountPerPayment: null }) { updatedAt } }', variables: { m } }),
      });
      return { status: r.status, body: (await r.json()) as { errors?: Array<{ extensions?: { code?: string } }> } };
    }, merchantId);
    expect(forged.status).toBe(403);
    expect(forged.body.errors?.[0]?.extensions?.code).toBe('ROLE_FORBIDDEN');
    expect((await stored()).transactionLimits.maxAmountPerPayment).toEqual(gbp(50_000));
  }, STEP_TIMEOUT);

  it('the settings take effect: beyond the new limit a checkout is refused, above the new rule it is held for review', async () => {
    const session = async (amountMinor: number) =>
      (await shop.ok(CREATE_SESSION, { input: { lineItems: [{ name: 'Teapot', unitAmount: gbp(amountMinor), quantity: 1 }] } })).createCheckoutSession as { id: string; paymentIntentId: string };

    const big = await session(60_000);
    const refused = await shop.request(CONFIRM, { id: big.paymentIntentId });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'TRANSACTION_LIMIT_EXCEEDED', reason: 'limit:max_amount_per_payment' });
    expect((await shop.ok(INTENT, { id: big.paymentIntentId })).paymentIntent.status).toBe('REQUIRES_PAYMENT_METHOD');

    const reviewed = await session(30_000);
    expect((await shop.ok(CONFIRM, { id: reviewed.paymentIntentId })).confirmPaymentIntent.status).toBe('REQUIRES_CAPTURE');
    expect((await shop.ok(INTENT, { id: reviewed.paymentIntentId })).paymentIntent.risk).toMatchObject({ action: 'REVIEW', ruleIds: ['big-orders'] });

    const small = await session(5_000);
    expect((await shop.ok(CONFIRM, { id: small.paymentIntentId })).confirmPaymentIntent.status).toBe('SUCCEEDED');
  }, STEP_TIMEOUT);

  it('raised no script error, no unexpected failed request, and no serious accessibility violation in any state shown', () => {
    expect(problems).toEqual([]);
    expect(inaccessible).toEqual([]);
  });
});
