// The portal's Developers and Settings pages in Chromium (issue 23). An owner creates an API key
// (the secret shown once, gone from the page when dismissed), which works against /graphql until
// the owner revokes it (then refused); adds a webhook endpoint on a local receiver (its signing
// secret shown once verifies the deliveries), sends a test event, sees it in the delivery log with
// its attempt, replays it (the receiver gets the same event id again) and replays since a time;
// changes the dunning schedule and the commission terms, each first with a value the server
// refuses (its code shown beside the field, nothing written) then a valid one. An analyst of the
// same merchant reads the pages with no write controls, and the server refuses the API key it
// forges from its own session (ROLE_FORBIDDEN). Two browser sessions (owner, analyst).
// Each screenshot's state is checked with axe-core too (serious and critical violations fail).
// Screenshots: test/artifacts/portal-developers/ (gitignored).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { invitedUser, PortalBrowsers } from '../support/portal-browser.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { migratedDatabase } from '../support/scratch-database.js';
import { signedBy, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/portal-developers/', import.meta.url));
const PASSWORD = 'correct horse battery staple';
const CREATE_MERCHANT = `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`;
const CONNECT = `mutation($m: ID!) { connectPaymentProcessor(merchantId: $m, input: { provider: TEST }) { status } }`;
const TERMS = `query($id: ID!) { merchant(id: $id) { commissionTerms { type percentageBps cpa { amountMinor } } } }`;
const BILLING = `query($m: ID) { billingSettings(merchantId: $m) { dunning { retryDays finalStatus } } }`;
const HOOK = '/portal-hook';
/** Each step waits on conditions only; this bounds a step on a machine shared by many test runs. */
const STEP_TIMEOUT = 240_000;

/** A time as a datetime-local input takes it, in this machine's zone (the browser's). */
function localInput(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}T${p(at.getHours())}:${p(at.getMinutes())}:${p(at.getSeconds())}`;
}

describe('Developers and Settings in Chromium', () => {
  let scratch: Awaited<ReturnType<typeof migratedDatabase>>;
  let handoff: RunningHandoff;
  let receiver: WebhookReceiver;
  let admin: GqlClient;
  let merchantId: string;
  let base: string;
  let owner: Page;
  const portal = new PortalBrowsers(ARTIFACTS);
  /** What went wrong on the pages; answers caused on purpose ("<who> <status> <method> <path>"); axe-core's serious findings. */
  const { problems, expected, inaccessible } = portal;
  const shot = (p: Page, name: string) => portal.shot(p, name);
  const makeUser = (email: string, role: string) => invitedUser(admin, base, { email, role, merchantId, password: PASSWORD });
  const signIn = (email: string, who: string): Promise<Page> => portal.signIn(base, { email, password: PASSWORD }, who, { next: '/developers', heading: 'Developers' });

  /** A bearer key's answer to /graphql: the viewer, or the refusal's code. */
  const asKey = async (key: string) => {
    const r = await new GqlClient(handoff.graphqlUrl, key).request(`{ viewer { role merchant { id } } }`);
    return r.errors?.length ? { code: r.errors[0]!.extensions?.code } : { viewer: r.data?.viewer };
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // A database of its own: no other stack's relay delivers this file's webhook events.
    scratch = await migratedDatabase('portal_dev');
    receiver = await startWebhookReceiver();
    handoff = await startTestHandoff({
      databaseUrl: scratch.url,
      extraEnv: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_BASE_MS: '100', OUTBOX_SWEEP_AFTER_MS: '2000' },
    });
    base = handoff.gatewayUrl;
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    merchantId = (
      await admin.ok(CREATE_MERCHANT, { input: { name: 'Hooked Ltd', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } } } })
    ).createMerchant.id;
    await admin.ok(CONNECT, { m: merchantId });
    await makeUser('owner@hooked.example', 'OWNER');
    await makeUser('analyst@hooked.example', 'ANALYST');
    owner = await signIn('owner@hooked.example', 'owner');
  }, 180_000);

  afterAll(async () => {
    await portal.close();
    await handoff?.stop();
    await receiver?.close();
    await scratch?.drop();
  });

  it('an owner creates an API key: shown once, it works against /graphql; revoked, it is refused', async () => {
    const keys = owner.getByRole('region', { name: 'API keys' });
    await owner.getByLabel('Name (optional)').fill('Order service');
    await owner.getByRole('button', { name: 'Create API key' }).click();
    const shown = owner.getByRole('region', { name: 'New API key' });
    await shown.waitFor({ timeout: 45_000 });
    const key = await shown.getByLabel('New API key', { exact: true }).inputValue();
    expect(key).toMatch(/^hk_mer_[A-Za-z0-9_-]{20,64}$/);
    await shot(owner, '10-api-key-shown-once');
    expect(await asKey(key)).toEqual({ viewer: { role: 'MERCHANT', merchant: { id: merchantId } } });

    await shown.getByRole('button', { name: 'I have stored it' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await owner.content()).not.toContain(key);
    const row = keys.locator('tr[data-api-key-id]').filter({ hasText: 'Order service' });
    await row.waitFor({ timeout: 45_000 });
    expect(await row.innerText()).toContain(key.slice(0, 12));
    expect(await row.innerText()).toMatch(/Active/);

    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await expect.poll(() => row.innerText(), { timeout: 45_000 }).toMatch(/Revoked/);
    // Read again after the key was used: its last use is a time, not "Never".
    expect(await row.locator('td').nth(4).innerText()).not.toBe('Never');
    // The gateway forgets the key when it hears of the revocation (at most its 2 s cache later).
    await expect.poll(() => asKey(key), { timeout: 45_000 }).toEqual({ code: 'UNAUTHENTICATED' });
    await shot(owner, '15-api-key-revoked');
  }, STEP_TIMEOUT);

  let endpointId = '';
  let secret = '';
  let eventId = '';

  it('adds a webhook endpoint (its secret once), sends a test event and sees its delivery in the log', async () => {
    await owner.getByLabel('Endpoint URL').fill(`${receiver.origin}${HOOK}`);
    await owner.getByRole('button', { name: 'Add endpoint' }).click();
    const shown = owner.getByRole('region', { name: 'Signing secret' });
    await shown.waitFor({ timeout: 45_000 });
    secret = await shown.getByLabel('Signing secret', { exact: true }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    await shown.getByRole('button', { name: 'I have stored it' }).click();
    const card = owner.locator('li[data-endpoint-id]').filter({ hasText: `${receiver.origin}${HOOK}` });
    await card.waitFor({ timeout: 45_000 });
    endpointId = (await card.getAttribute('data-endpoint-id'))!;
    expect(await card.innerText()).toMatch(/Enabled/);
    expect(await card.innerText()).toContain('All events');
    expect(await owner.content()).not.toContain(secret);

    await card.getByRole('button', { name: 'Send test event' }).click();
    await expect.poll(() => receiver.on(HOOK).length, { timeout: 45_000 }).toBe(1);
    const [got] = receiver.on(HOOK);
    eventId = String(got!.headers['handoff-event-id']);
    expect(eventId).toMatch(/^evt_/);
    expect(JSON.parse(got!.body)).toMatchObject({ id: eventId, type: 'webhook_endpoint.test' });
    expect(signedBy(got!.body, String(got!.headers['handoff-signature']), secret)).toBe(true);

    const log = card.getByRole('region', { name: 'Delivery log' });
    const delivery = log.locator(`tr[data-event-id="${eventId}"]`);
    await expect
      .poll(
        async () => {
          const text = (await delivery.count()) ? await delivery.innerText() : '';
          if (!/Succeeded/.test(text)) await log.getByRole('button', { name: 'Refresh' }).click();
          return text;
        },
        { timeout: 45_000 },
      )
      .toMatch(/Succeeded/);
    await delivery.getByText('1 attempt').click();
    expect(await delivery.innerText()).toMatch(/HTTP 200 · \d+ ms/);
    expect(await delivery.locator('pre.excerpt').innerText()).toBe('{"ok":true}');
    await shot(owner, '20-webhook-delivery-log');
  }, STEP_TIMEOUT);

  it('replays the delivery (the same event id arrives again), then every event since a time', async () => {
    const card = owner.locator(`li[data-endpoint-id="${endpointId}"]`);
    const log = card.getByRole('region', { name: 'Delivery log' });
    await log.getByRole('button', { name: `Replay webhook_endpoint.test ${eventId}` }).click();
    await expect.poll(() => receiver.on(HOOK).length, { timeout: 45_000 }).toBe(2);
    const again = receiver.on(HOOK)[1]!;
    expect(again.headers['handoff-event-id']).toBe(eventId);
    expect(JSON.parse(again.body).id).toBe(eventId);
    expect(signedBy(again.body, String(again.headers['handoff-signature']), secret)).toBe(true);
    await log.getByRole('status').filter({ hasText: `${eventId} sent again.` }).waitFor();
    // Attempt 2 of the same delivery, shown once the log is read again.
    const delivery = log.locator(`tr[data-event-id="${eventId}"]`);
    await expect
      .poll(
        async () => {
          await log.getByRole('button', { name: 'Refresh' }).click();
          return delivery.locator('td').nth(2).innerText();
        },
        { timeout: 45_000 },
      )
      .toBe('2');

    await log.getByLabel('Replay events since', { exact: true }).fill(localInput(new Date(receiver.on(HOOK)[0]!.at - 30_000)));
    await log.getByLabel('Include succeeded deliveries').check();
    await log.getByRole('button', { name: 'Replay since' }).click();
    await log.getByRole('status').filter({ hasText: /^\d+ deliver(y|ies) sent again\.$/ }).waitFor({ timeout: 45_000 });
    await expect.poll(() => receiver.on(HOOK).slice(2).filter((r) => r.headers['handoff-event-id'] === eventId).length, { timeout: 45_000 }).toBe(1);
    await shot(owner, '25-webhook-replayed');
  }, STEP_TIMEOUT);

  it('changes the dunning schedule and the commission terms: a refused value shows its code beside the field, then a valid one saves', async () => {
    await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await owner.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();

    const dunning = owner.getByRole('form', { name: 'Dunning schedule' });
    await dunning.waitFor({ timeout: 45_000 });
    expect(await owner.getByLabel('Retry days').inputValue()).toBe('1, 3, 5, 7');
    expected.add('owner 400 POST /graphql');
    await owner.getByLabel('Retry days').fill('3, 2');
    await dunning.getByRole('button', { name: 'Save dunning schedule' }).click();
    const daysProblem = owner.locator('#dunning-days-problem');
    await daysProblem.waitFor({ timeout: 45_000 });
    expect(await daysProblem.getAttribute('data-error-code')).toBe('INVALID_DUNNING_SCHEDULE');
    expect(await daysProblem.innerText()).toMatch(/^INVALID_DUNNING_SCHEDULE retryDays\[1\]: .*strictly increasing/);
    expect(await owner.getByLabel('Retry days').getAttribute('aria-invalid')).toBe('true');
    await shot(owner, '30-dunning-refused');
    expect((await admin.ok(BILLING, { m: merchantId })).billingSettings.dunning.retryDays).toEqual([1, 3, 5, 7]);

    await owner.getByLabel('Retry days').fill('2, 4, 6');
    await owner.getByLabel('After the last retry fails').selectOption('CANCELED');
    await dunning.getByRole('button', { name: 'Save dunning schedule' }).click();
    await dunning.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ timeout: 45_000 });
    expect((await admin.ok(BILLING, { m: merchantId })).billingSettings.dunning).toEqual({ retryDays: [2, 4, 6], finalStatus: 'CANCELED' });
    await expect.poll(() => dunning.innerText(), { timeout: 45_000 }).toMatch(/Now: retries 2, 4, 6 days .* then canceled/);

    const terms = owner.getByRole('form', { name: 'Commission terms' });
    await owner.getByLabel('Commission type').selectOption('PERCENTAGE');
    await owner.getByLabel('Percentage of the transaction (%)').fill('150');
    await terms.getByRole('button', { name: 'Save commission terms' }).click();
    const pctProblem = owner.locator('#commission-percentage-problem');
    await pctProblem.waitFor({ timeout: 45_000 });
    expect(await pctProblem.getAttribute('data-error-code')).toBe('BAD_USER_INPUT');
    expect(await pctProblem.innerText()).toMatch(/^BAD_USER_INPUT commissionTerms\.percentageBps: must be an integer from 1 to 10000/);
    expect((await admin.ok(TERMS, { id: merchantId })).merchant.commissionTerms).toEqual({ type: 'CPA', percentageBps: null, cpa: { amountMinor: 800 } });

    await owner.getByLabel('Percentage of the transaction (%)').fill('5.5');
    await terms.getByRole('button', { name: 'Save commission terms' }).click();
    await terms.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ timeout: 45_000 });
    expect((await admin.ok(TERMS, { id: merchantId })).merchant.commissionTerms).toEqual({ type: 'PERCENTAGE', percentageBps: 550, cpa: null });
    await expect.poll(() => terms.innerText(), { timeout: 45_000 }).toContain('Now: 5.5 % of the transaction value');
    await shot(owner, '35-settings-saved');
  }, STEP_TIMEOUT);

  it('an analyst reads both pages with no write controls, and the server refuses the key it forges (ROLE_FORBIDDEN)', async () => {
    const analyst = await signIn('analyst@hooked.example', 'analyst');
    expect(await analyst.getByRole('region', { name: 'API keys' }).innerText()).toContain('Only an owner creates, sees and revokes API keys.');
    expect(await analyst.getByRole('button', { name: 'Create API key' }).count()).toBe(0);
    const card = analyst.locator(`li[data-endpoint-id="${endpointId}"]`);
    await card.waitFor({ timeout: 45_000 });
    expect(await analyst.getByRole('button', { name: 'Add endpoint' }).count()).toBe(0);
    expect(await card.getByRole('button', { name: /Send test event|Disable|Delete|Rotate secret/ }).count()).toBe(0);
    await card.getByRole('button', { name: 'Show delivery log' }).click();
    await card.locator(`tr[data-event-id="${eventId}"]`).waitFor({ timeout: 45_000 });
    expect(await card.getByRole('button', { name: /^Replay/ }).count()).toBe(0);
    await shot(analyst, '40-developers-analyst');

    expected.add('analyst 403 POST /graphql');
    const forged = await analyst.evaluate(async () => {
      const session = (await (await fetch('/portal/api/session')).json()) as { csrfToken: string };
      const r = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ query: 'mutation { createApiKey(input: { role: MERCHANT }) { key } }' }),
      });
      return { status: r.status, body: (await r.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> } };
    });
    expect(forged.status).toBe(403);
    expect(forged.body.errors?.[0]?.extensions?.code).toBe('ROLE_FORBIDDEN');
    // No key was made: the owner's list still holds only the revoked one.
    await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Developers' }).click();
    const rows = owner.getByRole('region', { name: 'API keys' }).locator('tr[data-api-key-id]');
    await rows.first().waitFor({ timeout: 45_000 });
    expect(await rows.count()).toBe(1);

    await analyst.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await analyst.getByRole('form', { name: 'Dunning schedule' }).waitFor({ timeout: 45_000 });
    expect(await analyst.getByLabel('Retry days').inputValue()).toBe('2, 4, 6');
    expect(await analyst.getByLabel('Retry days').isDisabled()).toBe(true);
    expect(await analyst.getByRole('button', { name: /^Save / }).count()).toBe(0);
    expect(await analyst.getByRole('button', { name: 'Create promotion' }).count()).toBe(0);
    await shot(analyst, '45-settings-analyst');
  }, STEP_TIMEOUT);

  it('raised no script error, no unexpected failed request, and no serious accessibility violation in any state shown', () => {
    expect(problems).toEqual([]);
    expect(inaccessible).toEqual([]);
  });
});
