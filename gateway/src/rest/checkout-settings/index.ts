// Seed 003 §17's tenant configuration (docs/api.md, "Settings, capabilities and limits"), thin
// adapters over the merchant subgraph's GraphQL operations, in seed 003's shapes (snake_case,
// amounts in minor units beside their currency). A merchant key reads and changes its own
// merchant's; an admin names the merchant with `?merchant_id=`.
//   GET   /v1/checkout/settings      checkoutSettings
//   PATCH /v1/checkout/settings      setCheckoutSettings (fields given change; null resets one)
//   GET   /v1/checkout/capabilities  checkoutCapabilities (an admin sets them in GraphQL: setMerchantCapabilities)
//   GET   /v1/checkout/tx-limits     transactionLimits
//   PATCH /v1/checkout/tx-limits     setTransactionLimits (null removes a limit)
import type { RouteMount } from '../../route-deps.js';
import type { ObjectShape, Shape } from '../rest-input.js';
import { sendInputProblem } from '../rest-http.js';
import { bodyOf, graph, mountRoute, type Call } from '../checkout-service/route-kit.js';

export const SETTINGS = '/v1/checkout/settings';
export const CAPABILITIES = '/v1/checkout/capabilities';
export const TX_LIMITS = '/v1/checkout/tx-limits';

const SETTINGS_FIELDS = `defaultCaptureMode maxPaymentAttempts reservationTtlDefaultSeconds reservationTtlMaxSeconds
  allowedPaymentMethods { country methods } branding { displayName accentColor logoUrl } updatedAt`;
const MONEY = 'amountMinor currency';
const LIMIT_FIELDS = `maxAmountPerPayment { ${MONEY} } maxAmountPerDay { ${MONEY} } maxPaymentsPerEmailPerHour updatedAt`;

const READ_SETTINGS = `query RestCheckoutSettings($m: ID) { checkoutSettings(merchantId: $m) { ${SETTINGS_FIELDS} } }`;
const SET_SETTINGS = `mutation RestSetCheckoutSettings($m: ID!, $input: CheckoutSettingsInput!) { setCheckoutSettings(merchantId: $m, input: $input) { ${SETTINGS_FIELDS} } }`;
const READ_CAPABILITIES = `query RestCheckoutCapabilities($m: ID) { checkoutCapabilities(merchantId: $m) { threeDSecure hostedPages splitPayments installments giftCards updatedAt } }`;
const READ_LIMITS = `query RestTransactionLimits($m: ID) { transactionLimits(merchantId: $m) { ${LIMIT_FIELDS} } }`;
const SET_LIMITS = `mutation RestSetTransactionLimits($m: ID!, $input: TransactionLimitsInput!) { setTransactionLimits(merchantId: $m, input: $input) { ${LIMIT_FIELDS} } }`;

interface SettingsJson {
  defaultCaptureMode: 'AUTOMATIC' | 'MANUAL';
  maxPaymentAttempts: number | null;
  reservationTtlDefaultSeconds: number;
  reservationTtlMaxSeconds: number;
  allowedPaymentMethods: Array<{ country: string; methods: string[] }>;
  branding: { displayName: string | null; accentColor: string | null; logoUrl: string | null };
  updatedAt: string | null;
}
interface MoneyJson {
  amountMinor: number;
  currency: string;
}
interface LimitsJson {
  maxAmountPerPayment: MoneyJson | null;
  maxAmountPerDay: MoneyJson | null;
  maxPaymentsPerEmailPerHour: number | null;
  updatedAt: string | null;
}

const MAX_PAYMENT_METHOD_RULES = 250;
const MONEY_SHAPE: Shape = { kind: 'object', fields: { amount: { kind: 'integer', required: true }, currency: { kind: 'string', required: true, max: 3 } } };

const SETTINGS_BODY: ObjectShape = {
  kind: 'object',
  fields: {
    default_capture_mode: { kind: 'string', max: 10 },
    max_payment_attempts: { kind: 'integer' },
    hold_ttls: { kind: 'object', fields: { reservation_default_seconds: { kind: 'integer' }, reservation_max_seconds: { kind: 'integer' } } },
    // { "GB": ["card"], "*": ["card"] }: checked entry by entry below.
    allowed_payment_methods: { kind: 'json-object' },
    hosted_page: { kind: 'object', fields: { display_name: { kind: 'string', max: 100 }, accent_color: { kind: 'string', max: 7 }, logo_url: { kind: 'string', max: 2048 } } },
  },
};
const LIMITS_BODY: ObjectShape = {
  kind: 'object',
  fields: { max_amount_per_payment: MONEY_SHAPE, max_amount_per_day: MONEY_SHAPE, max_payments_per_email_per_hour: { kind: 'integer' } },
};

const CAPTURE_MODES: Record<string, 'AUTOMATIC' | 'MANUAL'> = { auto: 'AUTOMATIC', automatic: 'AUTOMATIC', manual: 'MANUAL' };

/** `?merchant_id=`: the merchant an admin names (a merchant key may name only itself); undefined once a 400 is sent. */
function merchantParam(call: Call): { id: string | null } | undefined {
  const raw = call.req.query.merchant_id;
  if (raw === undefined) return { id: null };
  if (typeof raw !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(raw)) return void sendInputProblem(call.res, { field: 'merchant_id', message: 'must be a merchant id.' });
  return { id: raw };
}

/** The merchant a change is for: the admin's `?merchant_id=` (required), or the merchant key's own. */
function targetMerchant(call: Call): string | undefined {
  const given = merchantParam(call);
  if (!given) return undefined;
  if (given.id) return given.id;
  if (call.principal.kind === 'MERCHANT') return call.principal.merchantId;
  return void sendInputProblem(call.res, { field: 'merchant_id', message: 'is required with an admin key.' });
}

/** Whose settings a read answers: the one named, else the merchant key's own. */
const readMerchant = (call: Call, named: string | null) => named ?? (call.principal.kind === 'MERCHANT' ? call.principal.merchantId : null);

function settingsJson(merchantId: string | null, s: SettingsJson): Record<string, unknown> {
  return {
    object: 'checkout_settings',
    merchant_id: merchantId,
    default_capture_mode: s.defaultCaptureMode === 'MANUAL' ? 'manual' : 'auto',
    max_payment_attempts: s.maxPaymentAttempts,
    hold_ttls: { reservation_default_seconds: s.reservationTtlDefaultSeconds, reservation_max_seconds: s.reservationTtlMaxSeconds },
    allowed_payment_methods: Object.fromEntries(s.allowedPaymentMethods.map((r) => [r.country, r.methods])),
    hosted_page: { display_name: s.branding.displayName, accent_color: s.branding.accentColor, logo_url: s.branding.logoUrl },
    updated_at: s.updatedAt,
  };
}

const moneyJson = (m: MoneyJson | null) => (m ? { amount: m.amountMinor, currency: m.currency } : null);

function limitsJson(merchantId: string | null, l: LimitsJson): Record<string, unknown> {
  return {
    object: 'transaction_limits',
    merchant_id: merchantId,
    max_amount_per_payment: moneyJson(l.maxAmountPerPayment),
    max_amount_per_day: moneyJson(l.maxAmountPerDay),
    max_payments_per_email_per_hour: l.maxPaymentsPerEmailPerHour,
    updated_at: l.updatedAt,
  };
}

/** `allowed_payment_methods` (country → methods) → the GraphQL list, and its keys by index for error names; undefined once a 400 is sent. */
function paymentMethodRules(call: Call, map: Record<string, unknown>): { rules: Array<{ country: string; methods: unknown[] }>; keys: string[] } | undefined {
  const keys = Object.keys(map);
  if (keys.length > MAX_PAYMENT_METHOD_RULES) {
    return void sendInputProblem(call.res, { field: 'allowed_payment_methods', message: `must have at most ${MAX_PAYMENT_METHOD_RULES} countries.` });
  }
  const rules: Array<{ country: string; methods: unknown[] }> = [];
  for (const key of keys) {
    const methods = map[key];
    const field = `allowed_payment_methods.${key.slice(0, 40)}`;
    if (!Array.isArray(methods) || methods.some((m) => typeof m !== 'string' || m.length > 40)) {
      return void sendInputProblem(call.res, { field, message: 'must be a list of payment method types (e.g. ["card"]).' });
    }
    rules.push({ country: key, methods });
  }
  return { rules, keys };
}

/** GraphQL input paths of setCheckoutSettings in the body's names. */
function settingsRename(keys: readonly string[]) {
  return (f: string): string => {
    const rule = /^input\.allowedPaymentMethods\[(\d+)\](?:\.(country|methods)(\[\d+\])?)?$/.exec(f);
    if (rule) {
      const key = keys[Number(rule[1])] ?? rule[1];
      return `allowed_payment_methods.${key}${rule[2] === 'methods' ? (rule[3] ?? '') : ''}`;
    }
    const names: Record<string, string> = {
      'input.defaultCaptureMode': 'default_capture_mode',
      'input.maxPaymentAttempts': 'max_payment_attempts',
      'input.reservationTtlDefaultSeconds': 'hold_ttls.reservation_default_seconds',
      'input.reservationTtlMaxSeconds': 'hold_ttls.reservation_max_seconds',
      'input.allowedPaymentMethods': 'allowed_payment_methods',
      'input.branding.displayName': 'hosted_page.display_name',
      'input.branding.accentColor': 'hosted_page.accent_color',
      'input.branding.logoUrl': 'hosted_page.logo_url',
      'input.branding': 'hosted_page',
      merchantId: 'merchant_id',
    };
    return names[f] ?? f.replace(/^input\./, '');
  };
}

const limitsRename = (f: string): string =>
  f
    .replace(/^input\.maxAmountPerPayment(\.amountMinor)?/, (_m, minor) => `max_amount_per_payment${minor ? '.amount' : ''}`)
    .replace(/^input\.maxAmountPerDay(\.amountMinor)?/, (_m, minor) => `max_amount_per_day${minor ? '.amount' : ''}`)
    .replace(/^input\.maxPaymentsPerEmailPerHour/, 'max_payments_per_email_per_hour')
    .replace(/^merchantId$/, 'merchant_id');

/** Copies `from[key]` to `to[name]` when the body has the key (null kept: it resets). */
const given = (to: Record<string, unknown>, name: string, from: Record<string, unknown> | null | undefined, key: string, map: (v: unknown) => unknown = (v) => v) => {
  if (from && key in from) to[name] = from[key] === null ? null : map(from[key]);
};

export const mountCheckoutSettingsRest: RouteMount = (app, deps) => {
  mountRoute(app, deps, 'get', SETTINGS, async (call) => {
    const m = merchantParam(call);
    if (!m) return;
    const data = await graph<{ checkoutSettings: SettingsJson }>(call, READ_SETTINGS, { m: m.id }, { rename: settingsRename([]) });
    if (data) call.res.json(settingsJson(readMerchant(call, m.id), data.checkoutSettings));
  });

  mountRoute(app, deps, 'patch', SETTINGS, async (call) => {
    const body = bodyOf(call, SETTINGS_BODY);
    if (!body) return;
    const input: Record<string, unknown> = {};
    let keys: string[] = [];
    if ('default_capture_mode' in body) {
      const raw = body.default_capture_mode;
      if (raw === null) input.defaultCaptureMode = null;
      else {
        const mode = CAPTURE_MODES[String(raw).toLowerCase()];
        if (!mode) return sendInputProblem(call.res, { field: 'default_capture_mode', message: 'must be "auto" or "manual".' });
        input.defaultCaptureMode = mode;
      }
    }
    given(input, 'maxPaymentAttempts', body, 'max_payment_attempts');
    const ttls = body.hold_ttls as Record<string, unknown> | null | undefined;
    if (body.hold_ttls === null) Object.assign(input, { reservationTtlDefaultSeconds: null, reservationTtlMaxSeconds: null });
    given(input, 'reservationTtlDefaultSeconds', ttls, 'reservation_default_seconds');
    given(input, 'reservationTtlMaxSeconds', ttls, 'reservation_max_seconds');
    if ('allowed_payment_methods' in body) {
      if (body.allowed_payment_methods === null) input.allowedPaymentMethods = null;
      else {
        const parsed = paymentMethodRules(call, body.allowed_payment_methods as Record<string, unknown>);
        if (!parsed) return;
        input.allowedPaymentMethods = parsed.rules;
        keys = parsed.keys;
      }
    }
    if ('hosted_page' in body) {
      const page = body.hosted_page as Record<string, unknown> | null;
      if (page === null) input.branding = null;
      else {
        const branding: Record<string, unknown> = {};
        given(branding, 'displayName', page, 'display_name');
        given(branding, 'accentColor', page, 'accent_color');
        given(branding, 'logoUrl', page, 'logo_url');
        input.branding = branding;
      }
    }
    const merchantId = targetMerchant(call);
    if (!merchantId) return;
    const data = await graph<{ setCheckoutSettings: SettingsJson }>(call, SET_SETTINGS, { m: merchantId, input }, { mutation: true, rename: settingsRename(keys) });
    if (data) call.res.json(settingsJson(merchantId, data.setCheckoutSettings));
  });

  mountRoute(app, deps, 'get', CAPABILITIES, async (call) => {
    const m = merchantParam(call);
    if (!m) return;
    type Caps = { threeDSecure: boolean; hostedPages: boolean; splitPayments: boolean; installments: boolean; giftCards: boolean; updatedAt: string | null };
    const data = await graph<{ checkoutCapabilities: Caps }>(call, READ_CAPABILITIES, { m: m.id }, { rename: settingsRename([]) });
    if (!data) return;
    const c = data.checkoutCapabilities;
    call.res.json({
      object: 'checkout_capabilities',
      merchant_id: readMerchant(call, m.id),
      '3ds': c.threeDSecure,
      hosted_pages: c.hostedPages,
      split_payments: c.splitPayments,
      installments: c.installments,
      gift_cards: c.giftCards,
      updated_at: c.updatedAt,
    });
  });

  mountRoute(app, deps, 'get', TX_LIMITS, async (call) => {
    const m = merchantParam(call);
    if (!m) return;
    const data = await graph<{ transactionLimits: LimitsJson }>(call, READ_LIMITS, { m: m.id }, { rename: limitsRename });
    if (data) call.res.json(limitsJson(readMerchant(call, m.id), data.transactionLimits));
  });

  mountRoute(app, deps, 'patch', TX_LIMITS, async (call) => {
    const body = bodyOf(call, LIMITS_BODY);
    if (!body) return;
    const input: Record<string, unknown> = {};
    const money = (v: unknown) => ({ amountMinor: (v as { amount: number }).amount, currency: (v as { currency: string }).currency });
    given(input, 'maxAmountPerPayment', body, 'max_amount_per_payment', money);
    given(input, 'maxAmountPerDay', body, 'max_amount_per_day', money);
    given(input, 'maxPaymentsPerEmailPerHour', body, 'max_payments_per_email_per_hour');
    const merchantId = targetMerchant(call);
    if (!merchantId) return;
    const data = await graph<{ setTransactionLimits: LimitsJson }>(call, SET_LIMITS, { m: merchantId, input }, { mutation: true, rename: limitsRename });
    if (data) call.res.json(limitsJson(merchantId, data.setTransactionLimits));
  });
};
