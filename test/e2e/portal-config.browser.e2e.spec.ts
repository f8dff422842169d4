// The portal's configuration forms in Chromium (issue 23), read back through GraphQL with the
// merchant's API key. An owner fills the tax, shipping, promotion and checkout forms with a value
// the server refuses (its code beside the field, nothing written), then valid ones: each saves, a
// second shipping save keeps the option ids the server made, and a reload shows what is stored.
// On the Developers page the owner rotates a webhook endpoint's secret (shown once; the next test
// event is signed with it), disables it (no test event: the button is off and the server refuses
// it, INVALID_STATE_TRANSITION), enables it again and deletes it (gone from the page and the graph).
// A DEVELOPER invited by the owner accepts in the browser, sees no API keys (the server refuses
// keys and users: ROLE_FORBIDDEN), connects the sandbox PSP the merchant lacked, adds an endpoint
// and edits a setting (docs/portal-auth.md). Last, a checkout session made by API is priced with
// the new tax, shipping and promotion and takes the new default capture mode.
// Each screenshot's state is checked with axe-core too. Screenshots: test/artifacts/portal-config/.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { PortalBrowsers } from '../support/portal-browser.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { migratedDatabase } from '../support/scratch-database.js';
import { signedBy, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/portal-config/', import.meta.url));
const PASSWORD = 'correct horse battery staple';
const M = '{ amountMinor currency }';
const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;
const INVITE = `mutation($input: InviteMerchantUserInput!) { inviteMerchantUser(input: $input) { acceptUrl } }`;
const CONFIG = `query($m: ID!) { merchant(id: $m) {
    taxConfig { pricesIncludeTax defaultCategory rates { country region category basisPoints } }
    shippingConfig { zones { id name countries rates { id label kind amount ${M} freeOver ${M} minDays maxDays } } }
    promotions(first: 10) { totalCount edges { node { code percentOffBasisPoints minSubtotal ${M} active } } }
    paymentConnector { provider } }
  checkoutSettings { defaultCaptureMode maxPaymentAttempts branding { displayName accentColor logoUrl } } }`;
const HOOKS = `query($id: ID!) { webhookEndpoints { id enabled } webhookEndpoint(id: $id) { id } }`;
const SEND_TEST = `mutation($id: ID!) { sendTestWebhook(endpointId: $id) { eventId } }`;
const CREATE_SESSION = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id captureMode paymentIntentId } }`;
const ADDRESS = `mutation($id: ID!) { setCheckoutShippingAddress(id: $id, address: { line1: "1 High Street", city: "Leeds", postalCode: "LS1 1AA", country: "GB" }) { id } }`;
const SHIP = `mutation($id: ID!, $o: ID!) { selectCheckoutShipping(id: $id, selection: { shippingOptionId: $o }) { id } }`;
const PROMO = `mutation($id: ID!) { applyCheckoutPromotion(id: $id, code: "welcome10") { promotionCodes } }`;
const CALCULATE = `mutation($id: ID!) { calculateCheckout(id: $id) { calculation {
  taxLines { target basisPoints taxableBase { amountMinor } amount { amountMinor } }
  shipping { id amount { amountMinor } } promotions { code amount { amountMinor } }
  totals { subTotal { amountMinor } discountTotal { amountMinor } taxTotal { amountMinor } shippingTotal { amountMinor } grandTotal { amountMinor } } } } }`;
const CONFIRM = `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { status captureMode amount { amountMinor } } }`;
/** Each step waits on conditions only; this bounds a step on a machine shared by many test runs. */
const STEP_TIMEOUT = 240_000;
const WAIT = { timeout: 45_000 };
const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

/** A GraphQL call from the page itself: its session cookie and CSRF token, as the portal sends them. */
async function inPage(p: Page, query: string, variables: Record<string, unknown> = {}) {
  return p.evaluate(
    async ({ query, variables }) => {
      const session = (await (await fetch('/portal/api/session')).json()) as { csrfToken: string };
      const r = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken }, body: JSON.stringify({ query, variables }) });
      return { status: r.status, body: (await r.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> } };
    },
    { query, variables },
  );
}

describe('Settings and Developers configuration in Chromium, by an owner and a developer', () => {
  let scratch: Awaited<ReturnType<typeof migratedDatabase>>;
  let handoff: RunningHandoff;
  let receiver: WebhookReceiver;
  let admin: GqlClient;
  let shop: GqlClient;
  let merchantId: string;
  let base: string;
  let owner: Page;
  let developer: Page;
  const portal = new PortalBrowsers(ARTIFACTS);
  /** What went wrong on the pages; answers caused on purpose ("<who> <status> <method> <path>"); axe-core's serious findings. */
  const { problems, expected, inaccessible } = portal;
  const shot = (p: Page, name: string) => portal.shot(p, name);
  const newPage = (who: string): Promise<Page> => portal.newPage(who);
  const stored = async () => shop.ok(CONFIG, { m: merchantId });
  const nav = async (p: Page, page: 'Settings' | 'Developers') => {
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: page }).click();
    await p.getByRole('heading', { name: page, level: 1 }).waitFor(WAIT);
  };
  /** Accepts an invitation in a browser of its own (the invitation page signs the person in). */
  const accept = async (who: string, acceptUrl: string): Promise<Page> => {
    const p = await newPage(who);
    await p.goto(`${base}/portal/invitations/${new URL(acceptUrl).pathname.split('/').pop()}`);
    await p.getByRole('heading', { name: 'Join Config Ltd on Handoff' }).waitFor(WAIT);
    await p.getByLabel('Your name').fill(who);
    await p.getByLabel('Choose a password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Join' }).click();
    await p.getByRole('navigation', { name: 'Main' }).waitFor(WAIT);
    return p;
  };
  const fillIn = async (scope: Page | Locator, values: Record<string, string>) => {
    for (const [label, value] of Object.entries(values)) await scope.getByLabel(label, { exact: true }).fill(value);
  };
  /** A refusal beside its field: the code and the server's message in the problem, the input marked invalid. */
  const refusedAt = async (input: Locator, problem: Locator, text: RegExp) => {
    await problem.waitFor(WAIT);
    expect(await problem.innerText()).toMatch(text);
    expect(await input.getAttribute('aria-invalid')).toBe('true');
  };
  const form = (p: Page, name: string) => p.getByRole('form', { name, exact: true });
  const saved = (p: Page, name: string) => form(p, name).getByRole('status').filter({ hasText: 'Saved.' }).waitFor(WAIT);
  const zoneRate = (p: Page) => form(p, 'Shipping').getByRole('group', { name: 'Zone 1 rate 1' });
  const endpointCard = (p: Page, path: string) => p.locator('li[data-endpoint-id]').filter({ hasText: `${receiver.origin}${path}` });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    scratch = await migratedDatabase('portal_config');
    receiver = await startWebhookReceiver();
    handoff = await startTestHandoff({ databaseUrl: scratch.url, extraEnv: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_BASE_MS: '100' } });
    base = handoff.gatewayUrl;
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    // No PSP connected: the developer connects the sandbox through the page.
    merchantId = (
      await admin.ok(CREATE_MERCHANT, {
        input: { name: 'Config Ltd', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 }, conversionFlow: { type: 'instant_checkout' } },
      })
    ).createMerchant.id;
    shop = admin.as((await admin.ok(CREATE_KEY, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key as string);
    owner = await accept('owner', (await admin.ok(INVITE, { input: { email: 'owner@config.example', role: 'OWNER', merchantId } })).inviteMerchantUser.acceptUrl);
    await nav(owner, 'Settings');
    await form(owner, 'Checkout').waitFor(WAIT);
  }, 180_000);

  afterAll(async () => {
    await portal.close();
    await handoff?.stop();
    await receiver?.close();
    await scratch?.drop();
  });

  it('tax, shipping, a promotion and checkout: a value the server refuses shows its code beside the field, and nothing is written', async () => {
    const before = await stored();
    expect(before.merchant.promotions.totalCount).toBe(0);
    expected.add('owner 400 POST /graphql');

    await form(owner, 'Tax').getByRole('button', { name: 'Add a rate' }).click();
    await fillIn(owner, { 'Rate 1 country': 'gb', 'Rate 1 percentage': '100.5' });
    await owner.getByLabel('Tax is added on top').check();
    await form(owner, 'Tax').getByRole('button', { name: 'Save tax settings' }).click();
    await refusedAt(owner.getByLabel('Rate 1 percentage'), owner.locator('#tax-rate-0-problem'), /^BAD_USER_INPUT input\.rates\[0\]\.basisPoints: must be whole basis points from 0 to 10000/);

    await form(owner, 'Shipping').getByRole('button', { name: 'Add a zone' }).click();
    await fillIn(form(owner, 'Shipping'), { 'Zone name': 'UK', Countries: 'gb' });
    await fillIn(zoneRate(owner), { 'Rate label': 'Standard', 'Amount (GBP)': '4.99', 'Free over (GBP, optional)': '500', 'Min days': '4', 'Max days': '3' });
    await form(owner, 'Shipping').getByRole('button', { name: 'Save shipping' }).click();
    await refusedAt(zoneRate(owner).getByLabel('Min days'), zoneRate(owner).locator('[id$="-min-problem"][data-error-code="BAD_USER_INPUT"]'), /^BAD_USER_INPUT input\.zones\[0\]\.rates\[0\]\.minDays: must not be more than maxDays/);

    await fillIn(form(owner, 'Create a promotion'), { Code: 'welcome10', 'Percent off (%)': '150', 'Minimum subtotal (GBP, optional)': '50' });
    await form(owner, 'Create a promotion').getByRole('button', { name: 'Create promotion' }).click();
    await refusedAt(owner.locator('#promo-value'), owner.locator('#promo-value-problem[data-error-code="BAD_USER_INPUT"]'), /^BAD_USER_INPUT input\.percentOffBasisPoints: must be whole basis points from 1 to 10000/);

    await owner.getByLabel('Default capture mode').selectOption('MANUAL');
    await fillIn(form(owner, 'Checkout'), { 'Payment attempts per session (optional)': '3', 'Display name (optional)': 'Config Shop', 'Accent colour (optional)': 'blue' });
    await form(owner, 'Checkout').getByRole('button', { name: 'Save checkout settings' }).click();
    await refusedAt(owner.locator('#checkout-accent'), owner.locator('#checkout-accent-problem[data-error-code="BAD_USER_INPUT"]'), /^BAD_USER_INPUT input\.branding\.accentColor: must be a colour as #rrggbb/);
    await shot(owner, '10-settings-refused-inline');

    expect(await owner.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(0);
    expect(await stored()).toEqual(before);
  }, STEP_TIMEOUT);

  let optionId = '';

  it('valid values save; a second shipping save keeps the ids the server made; after a reload the forms show what GraphQL reads', async () => {
    await owner.getByLabel('Rate 1 percentage').fill('20');
    await form(owner, 'Tax').getByRole('button', { name: 'Save tax settings' }).click();
    await saved(owner, 'Tax');

    await zoneRate(owner).getByLabel('Min days').fill('1');
    await form(owner, 'Shipping').getByRole('button', { name: 'Save shipping' }).click();
    await saved(owner, 'Shipping');
    const first = (await stored()).merchant.shippingConfig.zones;
    expect(first).toHaveLength(1);
    optionId = first[0].rates[0].id;
    expect(optionId).toMatch(/^rate_/);
    // Changed and saved again in the same view (once the page has read the stored zone back): the
    // zone and its rate keep their ids, so a checkout that chose this option still finds it offered.
    await form(owner, 'Shipping').locator(`fieldset[data-shipping-zone="0"][data-zone-id="${first[0].id}"]`).waitFor(WAIT);
    await zoneRate(owner).getByLabel('Max days').fill('4');
    await form(owner, 'Shipping').getByRole('button', { name: 'Save shipping' }).click();
    await expect.poll(async () => (await stored()).merchant.shippingConfig.zones[0].rates[0].maxDays, WAIT).toBe(4);

    await owner.locator('#promo-value').fill('10');
    await form(owner, 'Create a promotion').getByRole('button', { name: 'Create promotion' }).click();
    await saved(owner, 'Create a promotion');
    const row = owner.getByRole('table', { name: 'Promotions' }).locator('tr[data-promotion-id]');
    await row.first().waitFor(WAIT);
    expect(await row.innerText()).toMatch(/WELCOME10[\s\S]*10 % off[\s\S]*£50\.00[\s\S]*Active/);

    await owner.getByLabel('Accent colour (optional)').fill('#1D4ED8');
    await form(owner, 'Checkout').getByRole('button', { name: 'Save checkout settings' }).click();
    await saved(owner, 'Checkout');
    await shot(owner, '20-settings-saved');

    await owner.reload();
    await form(owner, 'Checkout').waitFor(WAIT);
    await form(owner, 'Shipping').waitFor(WAIT);
    const shows = (scope: Page | Locator, want: Record<string, string>) =>
      expect.poll(async () => Object.fromEntries(await Promise.all(Object.keys(want).map(async (l) => [l, await scope.getByLabel(l, { exact: true }).inputValue()]))), WAIT).toEqual(want);
    await shows(owner, { 'Rate 1 country': 'GB', 'Rate 1 percentage': '20', 'Default capture mode': 'MANUAL', 'Payment attempts per session (optional)': '3', 'Display name (optional)': 'Config Shop', 'Accent colour (optional)': '#1d4ed8' });
    expect(await owner.getByLabel('Tax is added on top').isChecked()).toBe(true);
    await shows(form(owner, 'Shipping'), { 'Zone name': 'UK', Countries: 'GB' });
    await shows(zoneRate(owner), { 'Amount (GBP)': '4.99', 'Free over (GBP, optional)': '500.00', 'Min days': '1', 'Max days': '4' });
    await owner.getByRole('table', { name: 'Promotions' }).locator('tr[data-promotion-id]').filter({ hasText: 'WELCOME10' }).waitFor(WAIT);

    expect(await stored()).toEqual({
      merchant: {
        taxConfig: { pricesIncludeTax: false, defaultCategory: 'standard', rates: [{ country: 'GB', region: null, category: 'standard', basisPoints: 2000 }] },
        shippingConfig: {
          zones: [{ id: first[0].id, name: 'UK', countries: ['GB'], rates: [{ id: optionId, label: 'Standard', kind: 'FLAT', amount: gbp(499), freeOver: gbp(50_000), minDays: 1, maxDays: 4 }] }],
        },
        promotions: { totalCount: 1, edges: [{ node: { code: 'WELCOME10', percentOffBasisPoints: 1000, minSubtotal: gbp(5_000), active: true } }] },
        paymentConnector: null,
      },
      checkoutSettings: { defaultCaptureMode: 'MANUAL', maxPaymentAttempts: 3, branding: { displayName: 'Config Shop', accentColor: '#1d4ed8', logoUrl: null } },
    });
  }, STEP_TIMEOUT);

  it('a webhook endpoint: its secret rotated signs the next test event; disabled, no test event; enabled again; deleted, gone', async () => {
    await nav(owner, 'Developers');
    await owner.getByLabel('Endpoint URL').fill(`${receiver.origin}/owner-hook`);
    await owner.getByRole('button', { name: 'Add endpoint' }).click();
    const created = owner.getByRole('region', { name: 'Signing secret, shown once' });
    const oldSecret = await created.getByLabel('Signing secret', { exact: true }).inputValue();
    await created.getByRole('button', { name: 'I have stored it' }).click();
    const card = endpointCard(owner, '/owner-hook');
    await card.waitFor(WAIT);
    const id = (await card.getAttribute('data-endpoint-id'))!;

    await card.getByRole('button', { name: 'Rotate secret' }).click();
    await card.getByRole('button', { name: 'Yes, rotate' }).click();
    const shown = card.getByRole('region', { name: 'New signing secret, shown once' });
    await shown.waitFor(WAIT);
    const secret = await shown.getByLabel('New signing secret', { exact: true }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(oldSecret);
    await expect.poll(() => card.innerText(), WAIT).toMatch(/Previous secret signs until/);
    await shot(owner, '30-webhook-secret-rotated');
    await shown.getByRole('button', { name: 'I have stored it' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await owner.content()).not.toContain(secret);

    await card.getByRole('button', { name: 'Send test event' }).click();
    await expect.poll(() => receiver.on('/owner-hook').length, WAIT).toBe(1);
    const [got] = receiver.on('/owner-hook');
    const header = String(got!.headers['handoff-signature']);
    // docs/api.md: for 24 hours a delivery carries a v1 with each secret; the new one verifies it.
    expect(header.split(',').filter((p) => p.startsWith('v1=')).length).toBe(2);
    expect(signedBy(got!.body, header, secret)).toBe(true);
    expect(signedBy(got!.body, header, oldSecret)).toBe(true);
    expect(signedBy(got!.body, header, 'whsec_not_the_secret')).toBe(false);
    expect(JSON.parse(got!.body)).toMatchObject({ type: 'webhook_endpoint.test' });

    const status = () => card.locator('dd').first().innerText();
    await card.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(status, WAIT).toBe('Disabled');
    expect(await card.getByRole('button', { name: 'Send test event' }).isDisabled()).toBe(true);
    const refused = await shop.request(SEND_TEST, { id });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_STATE_TRANSITION', reason: 'webhook_endpoint:disabled' });
    // Sent to every enabled endpoint of the merchant: there is none.
    expect((await shop.ok(`mutation { sendTestWebhook { eventId } }`)).sendTestWebhook).toEqual([]);
    expect((await shop.ok(HOOKS, { id })).webhookEndpoints).toEqual([{ id, enabled: false }]);
    await shot(owner, '35-webhook-disabled');

    await card.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(status, WAIT).toBe('Enabled');
    await card.getByRole('button', { name: 'Send test event' }).click();
    const on = await card.getByRole('status').filter({ hasText: /^Test event evt_\S+ is on its way\.$/ }).innerText();
    const eventId = /(evt_\S+)/.exec(on)![1];
    await expect.poll(() => receiver.on('/owner-hook').length, WAIT).toBe(2);
    // The one delivery after the first is the test sent once enabled: nothing was sent while disabled.
    expect(receiver.on('/owner-hook')[1]!.headers['handoff-event-id']).toBe(eventId);
    expect(signedBy(receiver.on('/owner-hook')[1]!.body, String(receiver.on('/owner-hook')[1]!.headers['handoff-signature']), secret)).toBe(true);

    await card.getByRole('button', { name: 'Delete' }).click();
    await card.getByRole('button', { name: 'Yes, delete' }).click();
    await card.waitFor({ state: 'detached', timeout: 45_000 });
    await owner.getByText('No webhook endpoints yet').waitFor(WAIT);
    expect(await shop.ok(HOOKS, { id })).toEqual({ webhookEndpoints: [], webhookEndpoint: null });
  }, STEP_TIMEOUT);

  it('a developer invited by the owner joins in the browser: no API keys or users (ROLE_FORBIDDEN), connects the PSP, adds an endpoint, edits settings', async () => {
    const invited = await inPage(owner, 'mutation { inviteMerchantUser(input: { email: "dev@config.example", role: DEVELOPER }) { acceptUrl } }');
    expect(invited.status).toBe(200);
    developer = await accept('developer', invited.body.data.inviteMerchantUser.acceptUrl);
    await nav(developer, 'Developers');

    // API keys: told, not shown; no write notice for a developer.
    const keys = developer.getByRole('region', { name: 'API keys' });
    expect(await keys.innerText()).toContain('Only an owner creates, sees and revokes API keys.');
    expect(await developer.getByRole('button', { name: 'Create API key' }).count()).toBe(0);
    expect(await developer.getByText('an owner or a developer makes changes').count()).toBe(0);
    expected.add('developer 403 POST /graphql');
    for (const query of [
      '{ apiKeys(first: 5) { totalCount } }',
      '{ merchantUsers { id } }',
      'mutation { createApiKey(input: { role: MERCHANT }) { key } }',
      'mutation { inviteMerchantUser(input: { email: "more@config.example", role: OWNER }) { acceptUrl } }',
    ]) {
      const refused = await inPage(developer, query);
      expect({ query, status: refused.status, code: refused.body.errors?.[0]?.extensions?.code }).toEqual({ query, status: 403, code: 'ROLE_FORBIDDEN' });
    }

    // The PSP: none yet; the developer connects the sandbox.
    await developer.getByText('No PSP connected').waitFor(WAIT);
    const connect = form(developer, 'Connect a PSP');
    await connect.getByLabel('PSP').selectOption('TEST');
    await connect.getByRole('button', { name: 'Connect' }).click();
    // No secret key was sent for the sandbox: the notice does not claim one is stored.
    await developer.getByRole('status').filter({ hasText: 'Saved. The sandbox takes test cards only.' }).waitFor(WAIT);
    await expect.poll(() => developer.getByRole('definition').filter({ hasText: 'Handoff sandbox' }).count(), WAIT).toBe(1);
    await form(developer, 'Replace the PSP connection').waitFor(WAIT);
    expect((await stored()).merchant.paymentConnector).toEqual({ provider: 'TEST' });

    // Webhooks: adds one, its test event arrives signed.
    await developer.getByLabel('Endpoint URL').fill(`${receiver.origin}/dev-hook`);
    await developer.getByRole('button', { name: 'Add endpoint' }).click();
    const shown = developer.getByRole('region', { name: 'Signing secret, shown once' });
    const secret = await shown.getByLabel('Signing secret', { exact: true }).inputValue();
    await shot(developer, '40-developer-page');
    await shown.getByRole('button', { name: 'I have stored it' }).click();
    await endpointCard(developer, '/dev-hook').getByRole('button', { name: 'Send test event' }).click();
    await expect.poll(() => receiver.on('/dev-hook').length, WAIT).toBe(1);
    const [got] = receiver.on('/dev-hook');
    expect(signedBy(got!.body, String(got!.headers['handoff-signature']), secret)).toBe(true);

    // Settings: a developer edits (docs/portal-auth.md); the form sends back what it loaded.
    await nav(developer, 'Settings');
    const checkout = form(developer, 'Checkout');
    await checkout.waitFor(WAIT);
    expect(await developer.getByText('an owner or a developer changes them').count()).toBe(0);
    expect(await checkout.getByLabel('Default capture mode').inputValue()).toBe('MANUAL');
    await checkout.getByLabel('Payment attempts per session (optional)').fill('5');
    await checkout.getByRole('button', { name: 'Save checkout settings' }).click();
    await saved(developer, 'Checkout');
    await shot(developer, '45-developer-settings-saved');
    expect((await stored()).checkoutSettings).toEqual({ defaultCaptureMode: 'MANUAL', maxPaymentAttempts: 5, branding: { displayName: 'Config Shop', accentColor: '#1d4ed8', logoUrl: null } });
    // The commission terms and the conversion flow are an owner's: shown read-only to a developer, and said why.
    expect(await developer.getByText('Only an owner changes the commission terms and the conversion flow.').count()).toBe(1);
    expect(await developer.getByRole('button', { name: 'Save commission terms' }).count()).toBe(0);
    expect(await form(developer, 'Commission terms').getByLabel('Commission type').isDisabled()).toBe(true);
  }, STEP_TIMEOUT);

  it('the settings take effect: a session made by API is priced with the new tax, shipping and promotion, and is captured by hand', async () => {
    const session = (await shop.ok(CREATE_SESSION, { input: { lineItems: [{ name: 'Lamp', unitAmount: gbp(10_000), quantity: 1 }] } })).createCheckoutSession;
    expect(session.captureMode).toBe('MANUAL');
    await shop.ok(ADDRESS, { id: session.id });
    await shop.ok(SHIP, { id: session.id, o: optionId });
    expect((await shop.ok(PROMO, { id: session.id })).applyCheckoutPromotion.promotionCodes).toEqual(['WELCOME10']);
    const c = (await shop.ok(CALCULATE, { id: session.id })).calculateCheckout.calculation;
    expect(c.promotions).toEqual([{ code: 'WELCOME10', amount: { amountMinor: 1_000 } }]);
    expect(c.shipping).toMatchObject({ id: optionId, amount: { amountMinor: 499 } });
    // 20 % on the discounted line (£90.00) and on the shipping (£4.99 at the default category's rate).
    expect(c.taxLines).toEqual([
      { target: 'LINE', basisPoints: 2000, taxableBase: { amountMinor: 9_000 }, amount: { amountMinor: 1_800 } },
      { target: 'SHIPPING', basisPoints: 2000, taxableBase: { amountMinor: 499 }, amount: { amountMinor: 100 } },
    ]);
    expect(c.totals).toEqual({
      subTotal: { amountMinor: 10_000 },
      discountTotal: { amountMinor: 1_000 },
      taxTotal: { amountMinor: 1_900 },
      shippingTotal: { amountMinor: 499 },
      grandTotal: { amountMinor: 10_000 - 1_000 + 1_900 + 499 },
    });
    // The payment is the calculation's grand total, authorised and left for a capture by hand.
    expect((await shop.ok(CONFIRM, { id: session.paymentIntentId })).confirmPaymentIntent).toEqual({ status: 'REQUIRES_CAPTURE', captureMode: 'MANUAL', amount: { amountMinor: 11_399 } });
  }, STEP_TIMEOUT);

  it('raised no script error, no unexpected failed request, and no serious accessibility violation in any state shown', () => {
    expect(problems).toEqual([]);
    expect(inaccessible).toEqual([]);
  });
});
