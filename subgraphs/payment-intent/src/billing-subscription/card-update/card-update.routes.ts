// The signed internal routes behind the buyer's card-update page (the gateway's
// /billing/card-update/<token> and /api/billing/card-update/<token>: gateway/src/hosted-page/card-update/),
// called by the gateway as a SERVICE principal, JSON bodies:
//   POST /internal/billing/card-update/view    { token }                                → CardUpdateView
//   POST /internal/billing/card-update/setup   { token }                                → { setup_intent, client_secret } (Stripe)
//   POST /internal/billing/card-update/apply   { token, testCard } | { token, payment_method } | { token, setup_intent } → CardUpdateAnswer
// Refusals answer `{ code, error, reason?, field? }` with the code's REST status (404
// CARD_UPDATE_LINK_INVALID, 410 CARD_UPDATE_LINK_EXPIRED / CARD_UPDATE_LINK_USED, 402
// CARD_UPDATE_DECLINED, 409 SUBSCRIPTION_ALREADY_CANCELED / CARD_UPDATE_SETUP_INVALID, 400 BAD_USER_INPUT); anything
// unexpected is logged and answers 503, never a 500.
import { ErrorCode, HandoffError, restHttpStatus, type InternalAnswer, type InternalRoute, type Logger } from '@handoff/shared';
import type { CardUpdatePage, NewCardInput } from './card-update-page.js';

export const CARD_UPDATE_VIEW_PATH = '/billing/card-update/view';
export const CARD_UPDATE_APPLY_PATH = '/billing/card-update/apply';
export const CARD_UPDATE_SETUP_PATH = '/billing/card-update/setup';

const FORBIDDEN: InternalAnswer = { status: 403, body: { code: 'FORBIDDEN', error: 'forbidden' } };
const UNAVAILABLE: InternalAnswer = { status: 503, headers: { 'retry-after': '5' }, body: { code: 'SERVICE_UNAVAILABLE', error: 'The card cannot be updated right now; please try again.' } };
const PAYMENT_METHOD = /^pm_[A-Za-z0-9_]{1,120}$/;
const SETUP_INTENT = /^seti_[A-Za-z0-9_]{1,120}$/;

const refusal = (code: string, error: string, extra: Record<string, unknown> = {}): InternalAnswer => ({ status: restHttpStatus(code), body: { code, error, ...extra } });
const badInput = (field: string, message: string) => refusal(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, { field });

type Parsed = { ok: true; token: string; card?: NewCardInput } | { ok: false; answer: InternalAnswer };

function parse(raw: Buffer, withCard: boolean): Parsed {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, answer: badInput('body', 'must be JSON.') };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, answer: badInput('body', 'must be a JSON object.') };
  const b = body as Record<string, unknown>;
  if (typeof b.token !== 'string') return { ok: false, answer: refusal(ErrorCode.CARD_UPDATE_LINK_INVALID, 'This card update link is not valid.') };
  if (!withCard) return { ok: true, token: b.token };
  if ([b.testCard, b.payment_method, b.setup_intent].filter((v) => v !== undefined).length > 1) return { ok: false, answer: badInput('testCard', 'give one of a test card, a payment method or a setup intent.') };
  if (b.setup_intent !== undefined) {
    if (typeof b.setup_intent !== 'string' || !SETUP_INTENT.test(b.setup_intent)) return { ok: false, answer: badInput('setup_intent', 'must be a Stripe SetupIntent id (seti_…).') };
    return { ok: true, token: b.token, card: { setupIntent: b.setup_intent } };
  }
  if (typeof b.payment_method === 'string') {
    if (!PAYMENT_METHOD.test(b.payment_method)) return { ok: false, answer: badInput('payment_method', 'must be a payment method id (pm_…).') };
    return { ok: true, token: b.token, card: { paymentMethod: b.payment_method } };
  }
  if (typeof b.testCard !== 'string' || b.testCard.length > 64) return { ok: false, answer: badInput('testCard', 'is required: a card number.') };
  return { ok: true, token: b.token, card: { testCard: b.testCard } };
}

export function cardUpdateRoutes(page: CardUpdatePage, logger: Logger): InternalRoute[] {
  const answer = async (run: () => Promise<unknown>): Promise<InternalAnswer> => {
    try {
      return { status: 200, body: await run() };
    } catch (err) {
      if (err instanceof HandoffError) {
        const { code: _code, ...extensions } = err.extensions as Record<string, unknown>;
        const extra = Object.fromEntries(Object.entries(extensions).filter(([k]) => k === 'reason' || k === 'field'));
        return refusal(err.code, err.message, extra);
      }
      logger.error({ err }, 'card update failed');
      return UNAVAILABLE;
    }
  };
  return [
    {
      path: CARD_UPDATE_VIEW_PATH,
      async handle(req) {
        if (req.principal.kind !== 'SERVICE') return FORBIDDEN;
        const parsed = parse(req.rawBody, false);
        if (!parsed.ok) return parsed.answer;
        return answer(() => page.view(parsed.token));
      },
    },
    {
      path: CARD_UPDATE_SETUP_PATH,
      async handle(req) {
        if (req.principal.kind !== 'SERVICE') return FORBIDDEN;
        const parsed = parse(req.rawBody, false);
        if (!parsed.ok) return parsed.answer;
        return answer(() => page.setup(parsed.token));
      },
    },
    {
      path: CARD_UPDATE_APPLY_PATH,
      async handle(req) {
        if (req.principal.kind !== 'SERVICE') return FORBIDDEN;
        const parsed = parse(req.rawBody, true);
        if (!parsed.ok) return parsed.answer;
        return answer(() => page.apply(parsed.token, parsed.card!));
      },
    },
  ];
}
