// The ledger's lifecycle through the gateway, from real sandbox payments: an agent checks out, the
// merchant confirms with a test card, the sandbox PSP's signed webhook makes a verified
// conversion; then the admin's sandbox triggers refund and dispute it at the "processor", and the
// ledger follows (DISPUTED and restored, CLAWED_BACK with reversal entries linked to the
// original); an anonymous agent's held share goes to its builder when it registers before
// settlement. The books are checked balanced after every test.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import {
  CheckoutDocument, ConfirmTestPaymentDocument, CreateApiKeyDocument, CreateMerchantDocument, CreateOfferDocument,
  ConnectPaymentProcessorDocument, LedgerCheckDocument, LedgerConversionDocument, LedgerConversionsDocument, LedgerEntriesDocument,
  MarkBatchPaidDocument, RecommendDocument, RecordMilestoneDocument, RegisterAgentDocument, RegisterBuilderDocument, RunSettlementDocument,
  SandboxDisputeDocument, SandboxRefundDocument, SettlementBatchesDocument, StartAgentSessionDocument,
  type ConversionFieldsFragment,
} from '../generated/graphql.js';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { migratedDatabase } from '../support/scratch-database.js';

type Conversion = ConversionFieldsFragment;

describe('the ledger lifecycle of sandbox payments, through the gateway', () => {
  let handoff: RunningHandoff;
  let scratch: Awaited<ReturnType<typeof migratedDatabase>>;
  let admin: GqlClient;
  let merchant: GqlClient;
  let otherMerchant: GqlClient;
  let merchantId: string;
  let offerId: string;

  const newAgent = async (builderName?: string) => {
    const id = (await admin.ok(RegisterAgentDocument, { input: { name: 'Ledger shopper', builderName } })).registerAgent.id;
    return { id, client: admin.as((await admin.ok(CreateApiKeyDocument, { input: { role: 'AGENT', agentId: id } })).createApiKey.key) };
  };

  /** Agent checkout + the merchant's confirmation with a test card → the verified conversion it makes. */
  const pay = async (agent: GqlClient): Promise<{ paymentId: string; conversion: Conversion }> => {
    const session = (await agent.ok(StartAgentSessionDocument, { input: { query: '30GB SIM' } })).startAgentSession;
    const rec = (await agent.ok(RecommendDocument, { input: { sessionId: session.id, offerId } })).recommend;
    const { paymentId } = (await agent.ok(CheckoutDocument, { input: { sessionId: session.id, recommendationId: rec.id } })).checkout;
    expect(paymentId).toBeTruthy();
    expect((await merchant.ok(ConfirmTestPaymentDocument, { id: paymentId! })).confirmPaymentIntent.status).toBe('SUCCEEDED');
    let found: Conversion | undefined;
    await expect.poll(async () => {
      const page = (await merchant.ok(LedgerConversionsDocument, { filter: { merchantId }, first: 100 })).conversions;
      found = page.edges.map((e) => e.node).find((c) => c.paymentIntent?.id === paymentId);
      return found?.status;
    }, { timeout: 20_000, interval: 200 }).toBe('PENDING');
    return { paymentId: paymentId!, conversion: found! };
  };

  const get = async (id: string): Promise<Conversion> => (await admin.ok(LedgerConversionDocument, { id })).conversion!;
  const until = (id: string, status: string) =>
    expect.poll(async () => (await get(id)).status, { timeout: 20_000, interval: 200 }).toBe(status);
  const kinds = (c: Conversion) => [...new Set(c.ledgerEntries.map((e) => e.kind))];
  const netByAccount = (c: Conversion) => {
    const net = new Map<string, number>();
    for (const e of c.ledgerEntries) net.set(e.account, (net.get(e.account) ?? 0) + (e.direction === 'debit' ? 1 : -1) * e.amount.amountMinor);
    return Object.fromEntries([...net].filter(([, v]) => v !== 0));
  };

  beforeAll(async () => {
    // Its own database: runSettlement settles every merchant's due conversions, so a settlement run
    // by another file's stack on the run's shared database would settle this file's held share early.
    scratch = await migratedDatabase('ledger_lifecycle_e2e');
    handoff = await startTestHandoff({ databaseUrl: scratch.url });
    admin = new GqlClient(handoff.graphqlUrl, handoff.adminKey);
    merchantId = (await admin.ok(CreateMerchantDocument, {
      input: {
        name: 'SMARTY lifecycle', country: 'GB', defaultCurrency: 'GBP', validationPeriodDays: 0,
        commissionTerms: { type: 'CPA', cpa: { amountMinor: 800, currency: 'GBP' } }, conversionFlow: { type: 'instant_checkout' },
      },
    })).createMerchant.id;
    await admin.ok(ConnectPaymentProcessorDocument, { merchantId, input: { provider: 'TEST' } });
    offerId = (await admin.ok(CreateOfferDocument, {
      input: { merchantId, name: '30GB Rolling Monthly', provider: 'SMARTY', price: { amountMinor: 1000, currency: 'GBP' } },
    })).createOffer.id;
    merchant = admin.as((await admin.ok(CreateApiKeyDocument, { input: { role: 'MERCHANT', merchantId } })).createApiKey.key);
    const other = (await admin.ok(CreateMerchantDocument, {
      input: { name: 'Other', country: 'GB', defaultCurrency: 'GBP', commissionTerms: { type: 'PERCENTAGE', percentageBps: 500 } },
    })).createMerchant.id;
    otherMerchant = admin.as((await admin.ok(CreateApiKeyDocument, { input: { role: 'MERCHANT', merchantId: other } })).createApiKey.key);
  });

  afterEach(async () => {
    expect((await admin.ok(LedgerCheckDocument)).ledgerCheck).toEqual({
      balanced: true, unbalancedTransactions: [], balanceMismatches: [], conversionMismatches: [], overdrawnAccounts: [],
    });
  });

  afterAll(async () => {
    await handoff?.stop();
    await scratch?.drop();
  });

  it('a sandbox payment from agent checkout is a verified conversion: 8.00 = 6.40 + 1.60, booked in balanced entries', async () => {
    const agent = await newAgent(`Acme ${Date.now()}`);
    const { conversion: c } = await pay(agent.client);
    expect(c).toMatchObject({
      conversionPath: 'VERIFIED_PAYMENT', verification: 'verified', transactionValue: { amountMinor: 1000, currency: 'GBP' },
      commission: { type: 'CPA', amount: { amount: '8.00' }, networkFee: { amount: '1.60' }, builderPayout: { amount: '6.40' } },
      merchant: { id: merchantId }, agent: { id: agent.id },
    });
    expect(kinds(c)).toEqual(['commission']);
    expect(netByAccount(c)).toMatchObject({ [`merchant_receivable:${merchantId}`]: 800, network_revenue: -160 });
    // Tenancy through the gateway: by id, by list and by nested field.
    expect((await otherMerchant.ok(LedgerConversionDocument, { id: c.id })).conversion).toBeNull();
    expect((await otherMerchant.ok(LedgerConversionsDocument, { filter: { merchantId } })).conversions.totalCount).toBe(0);
    expect((await otherMerchant.ok(LedgerEntriesDocument, { filter: { conversionId: c.id } })).ledgerEntries.totalCount).toBe(0);
    expect((await agent.client.ok(LedgerConversionDocument, { id: c.id })).conversion?.ledgerEntries).toHaveLength(c.ledgerEntries.length);
  });

  it('a dispute holds the commission (DISPUTED) and a won dispute restores it, with no entry moved', async () => {
    const { paymentId, conversion: c } = await pay((await newAgent(`Won ${Date.now()}`)).client);
    await admin.ok(SandboxDisputeDocument, { paymentIntentId: paymentId, outcome: 'OPEN' });
    await until(c.id, 'DISPUTED');
    expect((await get(c.id)).ledgerEntries).toEqual(c.ledgerEntries);
    await admin.ok(SandboxDisputeDocument, { paymentIntentId: paymentId, outcome: 'WON' });
    await until(c.id, 'PENDING');
    expect(await get(c.id)).toMatchObject({ commission: { amount: { amountMinor: 800 } }, ledgerEntries: c.ledgerEntries });
  });

  it('a lost dispute and a full refund claw back with reversal entries linked to the original; a partial refund leaves CPA', async () => {
    const agent = (await newAgent(`Lost ${Date.now()}`)).client;
    const lost = await pay(agent);
    await admin.ok(SandboxDisputeDocument, { paymentIntentId: lost.paymentId, outcome: 'LOST' });
    await until(lost.conversion.id, 'CLAWED_BACK');

    const refunded = await pay(agent);
    await admin.ok(SandboxRefundDocument, { paymentIntentId: refunded.paymentId, amountMinor: 300 });
    await expect.poll(async () => (await get(refunded.conversion.id)).refunded.amountMinor, { timeout: 20_000 }).toBe(300);
    expect(await get(refunded.conversion.id)).toMatchObject({ status: 'PENDING', commission: { amount: { amountMinor: 800 } } });
    await admin.ok(SandboxRefundDocument, { paymentIntentId: refunded.paymentId });
    await until(refunded.conversion.id, 'CLAWED_BACK');

    for (const { conversion } of [lost, refunded]) {
      const after = await get(conversion.id);
      expect(after.commission).toMatchObject({ amount: { amountMinor: 0 }, networkFee: { amountMinor: 0 }, builderPayout: { amountMinor: 0 } });
      const original = after.ledgerEntries.find((e) => e.kind === 'commission')!.transactionId;
      const reversal = after.ledgerEntries.filter((e) => e.kind === 'reversal');
      expect(reversal.length).toBeGreaterThanOrEqual(2);
      expect(reversal.every((e) => e.reversesTransactionId === original)).toBe(true);
      // The originals are still there (append-only); the reversal cancels them account by account.
      expect(after.ledgerEntries.filter((e) => e.kind === 'commission')).toEqual(conversion.ledgerEntries);
      expect(netByAccount(after)).toEqual({});
    }
  });

  it("an anonymous agent's held share goes to its builder when it registers before settlement", async () => {
    const agent = await newAgent();
    const { conversion: c } = await pay(agent.client);
    expect(c.commission).toMatchObject({ amount: { amountMinor: 800 }, networkFee: { amountMinor: 160 }, builderPayout: { amountMinor: 0 }, unclaimed: { amountMinor: 640 } });
    const builderName = `Late Builder ${Date.now()}`;
    await admin.ok(RegisterBuilderDocument, { agentId: agent.id, builderName });
    // The payment itself is the flow's first step; the merchant confirms the order (payableAfter).
    expect(c.milestones.map((m) => m.step)).toEqual(['payment_received']);
    await merchant.ok(RecordMilestoneDocument, { conversionId: c.id, input: { step: 'order_confirmed', status: 'completed' } });
    await admin.ok(RunSettlementDocument, { input: { asOf: new Date().toISOString() } });

    const settled = await get(c.id);
    expect(settled).toMatchObject({ status: 'PAYABLE', commission: { builderPayout: { amountMinor: 640 }, unclaimed: { amountMinor: 0 } } });
    expect(settled.ledgerEntries.map((e) => e.kind)).toContain('release');
    // The agent sees its builder's payout batch, holding this conversion for 6.40; the merchant its invoice.
    const payouts = (await agent.client.ok(SettlementBatchesDocument, { first: 50 })).settlementBatches.edges.map((e) => e.node);
    const payout = payouts.find((b) => b.conversions.edges.some((e) => e.node.id === c.id))!;
    expect(payout).toMatchObject({ payee: expect.stringMatching(/^builder:/), total: { amountMinor: 640, currency: 'GBP' }, status: 'OPEN' });
    const invoices = (await merchant.ok(SettlementBatchesDocument, { first: 50 })).settlementBatches.edges.map((e) => e.node);
    expect(invoices.every((b) => b.payee === `merchant:${merchantId}`)).toBe(true);
    expect(invoices.some((b) => b.conversions.edges.some((e) => e.node.id === c.id))).toBe(true);
    expect((await otherMerchant.ok(SettlementBatchesDocument, { first: 50 })).settlementBatches.edges
      .some((e) => e.node.payee === `merchant:${merchantId}`)).toBe(false);

    expect((await admin.ok(MarkBatchPaidDocument, { id: payout.id })).markBatchPaid.status).toBe('PAID');
    await until(c.id, 'PAID');
  });
});
