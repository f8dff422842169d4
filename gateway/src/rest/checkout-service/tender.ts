// Seed 003 §6 and §11: gift cards, store credit and the wallet, over the GraphQL operations.
//   POST   …/sessions/:id/apply-giftcard { code }            applyCheckoutGiftCard
//   POST   …/sessions/:id/remove-giftcard/:code              removeCheckoutGiftCard
//   DELETE …/sessions/:id/giftcards/:code                     the same
//   POST   …/sessions/:id/apply-store-credit { amount }      applyCheckoutStoreCredit
//   GET    …/sessions/:id/wallet                             CheckoutSession.wallet
// A change answers `{ object: "tender_application", checkout_id, applied, remaining, currency }`
// (integer minor units; `applied` is negative for a removal, what went back on the card).
import type { Express } from 'express';
import type { GatewayRouteDeps } from '../../route-deps.js';
import type { ObjectShape } from '../rest-input.js';
import { sendInputProblem } from '../rest-http.js';
import { bodyOf, found, graph, mountRoute, restField, SESSIONS, type Call } from './route-kit.js';

const GIFT_CARD_BODY: ObjectShape = { kind: 'object', fields: { code: { kind: 'string', required: true, max: 64 } } };
const STORE_CREDIT_BODY: ObjectShape = { kind: 'object', fields: { amount: { kind: 'integer', required: true, min: 1, max: Number.MAX_SAFE_INTEGER } } };

const APPLICATION_FIELDS = 'checkoutSessionId applied { amountMinor currency } remaining { amountMinor currency }';
const APPLY_GIFT_CARD = `mutation RestApplyGiftCard($id: ID!, $code: String!) { applyCheckoutGiftCard(id: $id, code: $code) { ${APPLICATION_FIELDS} } }`;
const REMOVE_GIFT_CARD = `mutation RestRemoveGiftCard($id: ID!, $code: String!) { removeCheckoutGiftCard(id: $id, code: $code) { ${APPLICATION_FIELDS} } }`;
const APPLY_STORE_CREDIT = `mutation RestApplyStoreCredit($id: ID!, $amount: SafeInt!) { applyCheckoutStoreCredit(id: $id, amountMinor: $amount) { ${APPLICATION_FIELDS} } }`;
const GIFT_CARD_FIELDS = 'id last4 balance { amountMinor currency } expiresAt customerId';
const WALLET = `query RestWallet($id: ID!) { checkoutSession(id: $id) { id currency wallet {
  applied { id kind amount { amountMinor currency } giftCard { ${GIFT_CARD_FIELDS} } }
  held { amountMinor } amountDue { amountMinor } storeCredit { amountMinor } giftCards { ${GIFT_CARD_FIELDS} } } } }`;

interface MoneyJson {
  amountMinor: number;
  currency?: string;
}
interface ApplicationJson {
  checkoutSessionId: string;
  applied: MoneyJson;
  remaining: MoneyJson;
}
interface GiftCardJson {
  id: string;
  last4: string;
  balance: MoneyJson;
  expiresAt: string | null;
  customerId: string | null;
}
interface WalletJson {
  id: string;
  currency: string;
  wallet: {
    applied: Array<{ id: string; kind: string; amount: MoneyJson; giftCard: GiftCardJson | null }>;
    held: MoneyJson;
    amountDue: MoneyJson;
    storeCredit: MoneyJson | null;
    giftCards: GiftCardJson[];
  };
}

/** GraphQL argument names → the bodies' (`amountMinor` is the body's `amount`). */
const rename = (field: string): string => (field === 'amountMinor' ? 'amount' : restField(field));

const restGiftCard = (c: GiftCardJson) => ({
  id: c.id,
  last4: c.last4,
  balance: c.balance.amountMinor,
  currency: c.balance.currency ?? null,
  expires_at: c.expiresAt,
  customer_id: c.customerId,
});

async function change(call: Call, mutation: string, field: string, variables: Record<string, unknown>): Promise<void> {
  const data = await graph<Record<string, ApplicationJson>>(call, mutation, { id: call.id, ...variables }, { mutation: true, rename });
  if (!data) return;
  const a = data[field]!;
  call.res.status(200).json({
    object: 'tender_application',
    checkout_id: a.checkoutSessionId,
    applied: a.applied.amountMinor,
    remaining: a.remaining.amountMinor,
    currency: a.applied.currency ?? a.remaining.currency,
  });
}

/** The path's gift card code (`:code`), or undefined once a 400 is sent. */
function pathCode(call: Call): string | undefined {
  const code = String(call.req.params.code ?? '');
  if (code.trim() === '' || code.length > 64) return void sendInputProblem(call.res, { field: 'code', message: 'must be a gift card code of 1 to 64 characters.' });
  return code;
}

export function mountTenderRoutes(app: Express, deps: GatewayRouteDeps): void {
  mountRoute(app, deps, 'post', `${SESSIONS}/:id/apply-giftcard`, async (call) => {
    const body = bodyOf(call, GIFT_CARD_BODY);
    if (!body) return;
    await change(call, APPLY_GIFT_CARD, 'applyCheckoutGiftCard', { code: body.code });
  });

  const remove = async (call: Call) => {
    const code = pathCode(call);
    if (code === undefined) return;
    await change(call, REMOVE_GIFT_CARD, 'removeCheckoutGiftCard', { code });
  };
  mountRoute(app, deps, 'post', `${SESSIONS}/:id/remove-giftcard/:code`, remove);
  mountRoute(app, deps, 'delete', `${SESSIONS}/:id/giftcards/:code`, remove);

  mountRoute(app, deps, 'post', `${SESSIONS}/:id/apply-store-credit`, async (call) => {
    const body = bodyOf(call, STORE_CREDIT_BODY);
    if (!body) return;
    await change(call, APPLY_STORE_CREDIT, 'applyCheckoutStoreCredit', { amount: body.amount });
  });

  mountRoute(app, deps, 'get', `${SESSIONS}/:id/wallet`, async (call) => {
    const data = await graph<{ checkoutSession: WalletJson | null }>(call, WALLET, { id: call.id });
    const s = data && found(call, data.checkoutSession);
    if (!s) return;
    const w = s.wallet;
    call.res.status(200).json({
      object: 'checkout_wallet',
      checkout_id: s.id,
      currency: s.currency,
      applied: w.applied.map((t) => ({
        id: t.id,
        kind: t.kind.toLowerCase(),
        amount: t.amount.amountMinor,
        gift_card: t.giftCard ? restGiftCard(t.giftCard) : null,
      })),
      held: w.held.amountMinor,
      amount_due: w.amountDue.amountMinor,
      store_credit: w.storeCredit ? w.storeCredit.amountMinor : null,
      gift_cards: w.giftCards.map(restGiftCard),
    });
  });
}
