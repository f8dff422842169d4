// The sweeps' data, made through the public API: a tenant is a merchant (sandbox PSP, offer, keys,
// a merchant checkout session) and an agent that deals only with it (sessions, a recommendation,
// an agent checkout). `full` adds money: the agent checkout paid with the test card (a verified
// conversion), a merchant-reported conversion with a milestone, and (per world) a settlement run.
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../../support/client.js';
import { startTestHandoff } from '../../support/handoff.js';
import { privateDatabase } from './db.js';

export interface Tenant {
  label: string;
  merchantId: string;
  merchant: GqlClient;
  agentId: string;
  agent: GqlClient;
  /** Every id of this tenant's objects, by GraphQL type name. */
  ids: Record<string, string[]>;
}

const Q = {
  merchant: `mutation($input: CreateMerchantInput!) { createMerchant(input: $input) { id } }`,
  connect: `mutation($id: ID!) { connectPaymentProcessor(merchantId: $id, input: { provider: TEST }) { provider } }`,
  offer: `mutation($input: CreateOfferInput!) { createOffer(input: $input) { id } }`,
  agent: `mutation($input: RegisterAgentInput!) { registerAgent(input: $input) { id builder { id } } }`,
  key: `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }`,
  start: `mutation($q: String) { startAgentSession(input: { query: $q }) { id } }`,
  recommend: `mutation($s: ID!, $o: ID!) { recommend(input: { sessionId: $s, offerId: $o }) { id } }`,
  checkout: `mutation($s: ID!, $r: ID!) { checkout(input: { sessionId: $s, recommendationId: $r }) { transactionId paymentId } }`,
  session: `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id paymentIntent { id } } }`,
  confirm: `mutation($id: ID!) { confirmPaymentIntent(id: $id, paymentMethod: { testCard: "4242424242424242" }) { status } }`,
  report: `mutation($input: ReportConversionInput!) { reportConversion(input: $input) { id } }`,
  milestone: `mutation($id: ID!, $step: String!) { recordMilestone(conversionId: $id, input: { step: $step, status: "completed" }) { id } }`,
  byIntent: `query($m: ID!) { conversions(filter: { merchantId: $m }, first: 50) { edges { node { id paymentIntent { id } ledgerEntries { id } } } } }`,
  refunds: `query($id: ID!) { paymentIntent(id: $id) { refunds { id } } }`,
  stock: `mutation($o: ID!) { setStock(offerId: $o, quantity: 5) { onHand } }`,
  reserve: `mutation($id: ID!) { reserveCheckoutInventory(checkoutSessionId: $id) { id } }`,
  endpoint: `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`,
  agentEndpoint: `mutation($input: CreateAgentWebhookEndpointInput!) { createAgentWebhookEndpoint(input: $input) { endpoint { id } } }`,
  export: `mutation($input: CreateExportInput!) { createExport(input: $input) { id } }`,
  finalize: `mutation($id: ID!) { finalizeCheckoutAsync(id: $id) { id } }`,
  attach: `mutation($input: AttachCheckoutAttributionInput!) { attachCheckoutAttribution(input: $input) { status } }`,
  acp: `mutation($input: CreateAgentCheckoutSessionInput!) { createAgentCheckoutSession(input: $input) { id acpStatus paymentIntent { id } } }`,
  finalization: `query($id: ID!) { checkoutFinalizationJob(id: $id) { status orderId } }`,
  billing: `query($id: ID!) { checkoutSession(id: $id) { status billingSubscription { id invoices { id } } } }`,
};

const add = (ids: Record<string, string[]>, type: string, ...values: Array<string | null | undefined>) => {
  ids[type] = [...(ids[type] ?? []), ...values.filter((v): v is string => !!v)];
};

export async function makeTenant(admin: GqlClient, label: string, full: boolean): Promise<Tenant> {
  const ids: Record<string, string[]> = {};
  const merchantId = (await admin.ok(Q.merchant, {
    input: {
      name: `Sweep merchant ${label}`, country: 'GB', defaultCurrency: 'GBP', validationPeriodDays: 0,
      commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } }, conversionFlow: { type: 'instant_checkout' },
    },
  })).createMerchant.id as string;
  await admin.ok(Q.connect, { id: merchantId });
  const offerId = (await admin.ok(Q.offer, { input: { merchantId, name: `Offer ${label}`, price: { amountMinor: 1000, currency: 'GBP' } } })).createOffer.id;
  const agentRow = (await admin.ok(Q.agent, { input: { name: `Sweep agent ${label}`, builderName: `Sweep builder ${label} ${Date.now()}` } })).registerAgent;
  const merchantKey = (await admin.ok(Q.key, { input: { role: 'MERCHANT', merchantId } })).createApiKey;
  const agentKey = (await admin.ok(Q.key, { input: { role: 'AGENT', agentId: agentRow.id } })).createApiKey;
  const merchant = admin.as(merchantKey.key);
  const agent = admin.as(agentKey.key);
  add(ids, 'Merchant', merchantId);
  add(ids, 'Offer', offerId);
  add(ids, 'Agent', agentRow.id);
  add(ids, 'Builder', agentRow.builder?.id);
  add(ids, 'ApiKey', merchantKey.apiKey.id, agentKey.apiKey.id);
  // Disabled: nothing is delivered (no background writes while the sweep counts rows).
  const endpoint = (await merchant.ok(Q.endpoint, { input: { url: `http://127.0.0.1:9/sweep-${label}`, events: ['checkout.completed'], enabled: false } })).createWebhookEndpoint.endpoint.id;
  add(ids, 'WebhookEndpoint', endpoint);
  // The agent's own endpoint (issue 21 items 3, 7): agentWebhookEndpoint(id) and agentWebhookEndpoints.
  const agentEndpoint = (await agent.ok(Q.agentEndpoint, { input: { url: `http://127.0.0.1:9/sweep-agent-${label}`, events: ['checkout.completed'], enabled: false } })).createAgentWebhookEndpoint.endpoint.id;
  add(ids, 'AgentWebhookEndpoint', agentEndpoint);
  // A checkout export of the last day (its job writes a small file at once).
  const day = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
  add(ids, 'CheckoutExport', (await merchant.ok(Q.export, { input: { kind: 'CHECKOUT_EVENTS', format: 'CSV', ...day } })).createExport.id);

  const s1 = (await agent.ok(Q.start, { q: `plan ${label}` })).startAgentSession.id;
  const s2 = (await agent.ok(Q.start, { q: `order ${label}` })).startAgentSession.id;
  const rec = (await agent.ok(Q.recommend, { s: s1, o: offerId })).recommend.id;
  // The merchant reports on s2, which must hold a recommendation of its offer.
  const rec2 = (await agent.ok(Q.recommend, { s: s2, o: offerId })).recommend.id;
  add(ids, 'AgentSession', s1, s2);
  add(ids, 'Recommendation', rec, rec2);
  const own = (await merchant.ok(Q.session, {
    input: { lineItems: [{ name: `Line ${label}`, unitAmount: { amountMinor: 1000, currency: 'GBP' }, quantity: 1, offerId }] },
  })).createCheckoutSession;
  add(ids, 'CheckoutSession', own.id);
  add(ids, 'PaymentIntent', own.paymentIntent?.id);
  // The agent's own (ACP) session from the offer, with its buyer and address (issue 21 item 1).
  const acp = (await agent.ok(Q.acp, {
    input: { merchantId, lineItems: [{ offerId, quantity: 2 }], customer: { email: `acp-${label.toLowerCase()}@example.com` }, shippingAddress: { line1: '1 High St', city: 'London', postalCode: 'N1 9GU', country: 'GB' } },
  })).createAgentCheckoutSession;
  add(ids, 'CheckoutSession', acp.id);
  // Its first and last touch (issue 21 item 4): another network's token and a malformed code, so
  // CheckoutSession.attribution's touches are swept without binding the tenant's recommendations.
  await agent.ok(Q.attach, { input: { checkoutSessionId: acp.id, provider: 'impact.com', token: `atp_${label}`, touchpoint: 'FIRST' } });
  await agent.ok(Q.attach, { input: { checkoutSessionId: acp.id, provider: 'handoff.local', token: 'not a code', touchpoint: 'LAST' } });
  add(ids, 'PaymentIntent', acp.paymentIntent?.id);
  // Stock of its offer and a hold on it (issue 20 item 1): reservations are read by id, stock by offerId.
  await merchant.ok(Q.stock, { o: offerId });
  add(ids, 'InventoryReservation', (await merchant.ok(Q.reserve, { id: own.id })).reserveCheckoutInventory.id);
  const reported = (await merchant.ok(Q.report, {
    input: { sessionId: s2, orderReference: `ORD-${label}`, transactionValue: { amountMinor: 2500, currency: 'GBP' } },
  })).reportConversion.id;
  add(ids, 'Conversion', reported);
  await merchant.ok(Q.milestone, { id: reported, step: 'payment_received' });

  if (full) {
    const co = (await agent.ok(Q.checkout, { s: s1, r: rec })).checkout;
    add(ids, 'CheckoutSession', co.transactionId);
    add(ids, 'PaymentIntent', co.paymentId);
    const status = (await merchant.ok(Q.confirm, { id: co.paymentId })).confirmPaymentIntent.status;
    if (status !== 'SUCCEEDED') throw new Error(`tenant ${label}: the test card payment is ${status}`);
    const verified = await waitFor(async () => {
      const edges = (await admin.ok(Q.byIntent, { m: merchantId })).conversions.edges as Array<{ node: { id: string; paymentIntent: { id: string } | null } }>;
      return edges.find((e) => e.node.paymentIntent?.id === co.paymentId)?.node.id;
    }, `tenant ${label}'s verified conversion`);
    add(ids, 'Conversion', verified);
    await merchant.ok(Q.milestone, { id: verified, step: 'order_confirmed' });
    // The paid session finalized through a job (issue 20 item 4): jobs are read by id. Waited on, so
    // nothing writes in the background while the sweep counts rows.
    const job = (await merchant.ok(Q.finalize, { id: co.transactionId })).finalizeCheckoutAsync.id as string;
    add(ids, 'CheckoutFinalizationJob', job);
    const orderId = await waitFor(async () => {
      const j = (await merchant.ok(Q.finalization, { id: job })).checkoutFinalizationJob as { status: string; orderId: string | null };
      if (j.status === 'FAILED') throw new Error(`tenant ${label}: the finalization job failed`);
      return j.status === 'SUCCEEDED' ? (j.orderId ?? undefined) : undefined;
    }, `tenant ${label}'s finalization job`);
    // Its order, read back by id (checkoutOrder) and listed (checkoutOrders).
    add(ids, 'CheckoutOrder', orderId);
    // A monthly plan's SUBSCRIPTION session, paid (issue 22): its billing subscription and invoice 1. Waited
    // on until the session is COMPLETE, so nothing writes in the background while the sweep counts rows.
    const plan = (await merchant.ok(Q.session, {
      input: { mode: 'SUBSCRIPTION', lineItems: [{ name: `Plan ${label}`, unitAmount: { amountMinor: 1200, currency: 'GBP' }, quantity: 1, recurring: { interval: 'MONTH' } }] },
    })).createCheckoutSession;
    add(ids, 'CheckoutSession', plan.id);
    add(ids, 'PaymentIntent', plan.paymentIntent?.id);
    const planStatus = (await merchant.ok(Q.confirm, { id: plan.paymentIntent.id })).confirmPaymentIntent.status;
    if (planStatus !== 'SUCCEEDED') throw new Error(`tenant ${label}: the subscription's first payment is ${planStatus}`);
    const subscription = await waitFor(async () => {
      const cs = (await merchant.ok(Q.billing, { id: plan.id })).checkoutSession as { status: string; billingSubscription: { id: string; invoices: Array<{ id: string }> } | null };
      return cs.status === 'COMPLETE' && cs.billingSubscription ? cs.billingSubscription : undefined;
    }, `tenant ${label}'s billing subscription`);
    add(ids, 'BillingSubscription', subscription.id);
    add(ids, 'BillingInvoice', ...subscription.invoices.map((i) => i.id));
  }
  return { label, merchantId, merchant, agentId: agentRow.id, agent, ids };
}

/** After settlement: the batches, ledger entries and refunds that belong to each tenant. */
export async function collectLedgerIds(admin: GqlClient, tenants: Tenant[]): Promise<void> {
  const batches = (await admin.ok(`{ settlementBatches(first: 100) { edges { node { id payeeId } } } }`)).settlementBatches.edges as Array<{ node: { id: string; payeeId: string } }>;
  for (const t of tenants) {
    const payees = new Set([t.merchantId, ...(t.ids.Builder ?? [])]);
    add(t.ids, 'SettlementBatch', ...batches.filter((b) => payees.has(b.node.payeeId)).map((b) => b.node.id));
    const convs = (await admin.ok(Q.byIntent, { m: t.merchantId })).conversions.edges as Array<{ node: { ledgerEntries: Array<{ id: string }> } }>;
    add(t.ids, 'LedgerEntry', ...convs.flatMap((c) => c.node.ledgerEntries.map((e) => e.id)));
    for (const pi of t.ids.PaymentIntent ?? []) {
      add(t.ids, 'Refund', ...((await admin.ok(Q.refunds, { id: pi })).paymentIntent?.refunds ?? []).map((r: { id: string }) => r.id));
    }
  }
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface TwoTenantWorld {
  handoff: RunningHandoff;
  admin: GqlClient;
  A: Tenant;
  B: Tenant;
  stop(): Promise<void>;
}

/**
 * Handoff on a database of its own (settlement is global: other files' conversions stay out)
 * with two full tenants, one settlement run, and every tenant's ledger ids collected.
 */
export async function startTwoTenantWorld(): Promise<TwoTenantWorld> {
  const db = await privateDatabase();
  let handoff: RunningHandoff | undefined;
  const stop = async () => {
    await handoff?.stop();
    await db.drop();
  };
  try {
    handoff = await startTestHandoff({ databaseUrl: db.url });
    const admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    const A = await makeTenant(admin, 'A', true);
    const B = await makeTenant(admin, 'B', true);
    await admin.ok(`mutation($asOf: DateTime) { runSettlement(input: { asOf: $asOf }) { id } }`, { asOf: new Date().toISOString() });
    await collectLedgerIds(admin, [A, B]);
    return { handoff, admin, A, B, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
