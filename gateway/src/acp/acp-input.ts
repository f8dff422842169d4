// The ACP request bodies checked as the spec's schemas say (CheckoutSessionCreateRequest,
// …UpdateRequest, …CompleteRequest, CancelSessionRequest), before anything runs: a problem is a
// 400 `invalid` naming its JSONPath. Item ids are Handoff offer ids; an Item carries no quantity
// in the spec, so each entry is one unit and repeated ids add up (first occurrence keeps its place).
import { invalid, type AcpAnswer } from './acp-http.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max = 500): v is string => typeof v === 'string' && v.length <= max;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;

export class InputProblem extends Error {
  constructor(readonly param: string, message: string) {
    super(message);
  }
  get answer(): AcpAnswer {
    return invalid(this.param, this.message);
  }
}

const fail = (param: string, message: string): never => {
  throw new InputProblem(param, message);
};

function only(o: Obj, allowed: readonly string[], at: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${at}.${k}`, `is not a known field.`);
}

export interface AcpLine {
  offerId: string;
  quantity: number;
}

function lines(v: unknown, at: string): AcpLine[] {
  if (!Array.isArray(v) || v.length === 0) fail(at, 'must be a non-empty array of items.');
  const out = new Map<string, AcpLine>();
  (v as unknown[]).forEach((item, i) => {
    if (!isObj(item)) fail(`${at}[${i}]`, 'must be an object.');
    const it = item as Obj;
    only(it, ['id', 'name', 'unit_amount'], `${at}[${i}]`);
    if (!str(it.id, 200) || it.id.trim() === '') fail(`${at}[${i}].id`, 'is required (an offer id).');
    if (it.name !== undefined && !str(it.name)) fail(`${at}[${i}].name`, 'must be a string.');
    if (it.unit_amount !== undefined && !Number.isInteger(it.unit_amount)) fail(`${at}[${i}].unit_amount`, 'must be an integer.');
    const id = (it.id as string).trim();
    const line = out.get(id) ?? { offerId: id, quantity: 0 };
    line.quantity += 1;
    out.set(id, line);
  });
  return [...out.values()];
}

export interface AcpBuyer {
  email?: string;
  phone?: string;
}

function buyer(v: unknown, at: string): AcpBuyer | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) return fail(at, 'must be an object.');
  only(v, ['first_name', 'last_name', 'full_name', 'email', 'phone_number', 'customer_id', 'account_type', 'authentication_status', 'company', 'loyalty', 'tax_exemption'], at);
  if (!str(v.email, 320) || !EMAIL.test(v.email)) fail(`${at}.email`, 'must be an email address.');
  if (v.phone_number !== undefined && !str(v.phone_number, 40)) fail(`${at}.phone_number`, 'must be a string.');
  return { email: v.email as string, ...(typeof v.phone_number === 'string' ? { phone: v.phone_number } : {}) };
}

export interface AcpAddress {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  state: string | null;
  postalCode: string | null;
  country: string;
}

export interface AcpFulfillment {
  address?: AcpAddress;
  email?: string;
  phone?: string;
}

function address(v: unknown, at: string): AcpAddress {
  if (!isObj(v)) return fail(at, 'must be an object.');
  only(v, ['name', 'line_one', 'line_two', 'city', 'state', 'country', 'postal_code'], at);
  for (const k of ['name', 'line_one', 'city', 'state', 'country', 'postal_code']) if (!str(v[k], 200)) fail(`${at}.${k}`, 'is required (a string).');
  if (v.line_two !== undefined && !str(v.line_two, 200)) fail(`${at}.line_two`, 'must be a string.');
  if (!/^[A-Za-z]{2}$/.test(v.country as string)) fail(`${at}.country`, 'must be an ISO 3166-1 alpha-2 code.');
  if ((v.line_one as string).trim() === '') fail(`${at}.line_one`, 'must not be empty.');
  if ((v.city as string).trim() === '') fail(`${at}.city`, 'must not be empty.');
  const opt = (s: unknown) => (typeof s === 'string' && s.trim() !== '' ? s : null);
  return {
    name: v.name as string,
    line1: v.line_one as string,
    line2: opt(v.line_two),
    city: v.city as string,
    state: opt(v.state),
    postalCode: opt(v.postal_code),
    country: (v.country as string).toUpperCase(),
  };
}

function fulfillment(v: unknown, at: string): AcpFulfillment | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) return fail(at, 'must be an object.');
  only(v, ['name', 'phone_number', 'email', 'address'], at);
  if (v.email !== undefined && (!str(v.email, 320) || !EMAIL.test(v.email))) fail(`${at}.email`, 'must be an email address.');
  if (v.phone_number !== undefined && !str(v.phone_number, 40)) fail(`${at}.phone_number`, 'must be a string.');
  if (v.name !== undefined && !str(v.name, 200)) fail(`${at}.name`, 'must be a string.');
  const a = v.address === undefined ? undefined : address(v.address, `${at}.address`);
  if (a && typeof v.name === 'string' && !a.name) a.name = v.name;
  return { ...(a ? { address: a } : {}), ...(typeof v.email === 'string' ? { email: v.email } : {}), ...(typeof v.phone_number === 'string' ? { phone: v.phone_number } : {}) };
}

export interface AcpAttribution {
  provider: string;
  token: string;
}

function attribution(v: unknown, at: string, touchpoint: 'first' | 'last'): AcpAttribution | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) return fail(at, 'must be an object.');
  if (!str(v.provider, 200) || v.provider === '') fail(`${at}.provider`, 'is required.');
  if (v.token === undefined && v.publisher_id === undefined) fail(`${at}.token`, 'token or publisher_id is required.');
  if (v.token !== undefined && !str(v.token, 2000)) fail(`${at}.token`, 'must be a string.');
  if (v.touchpoint !== undefined && v.touchpoint !== 'first' && v.touchpoint !== 'last') fail(`${at}.touchpoint`, 'must be first or last.');
  if (v.touchpoint !== undefined && v.touchpoint !== touchpoint) fail(`${at}.touchpoint`, `must be ${touchpoint} here.`);
  return typeof v.token === 'string' ? { provider: v.provider as string, token: v.token } : undefined;
}

export interface CreateInput {
  lines: AcpLine[];
  currency: string;
  buyer?: AcpBuyer;
  fulfillment?: AcpFulfillment;
  attribution?: AcpAttribution;
  codes: string[];
}

function codesOf(o: Obj): string[] {
  const out: string[] = [];
  if (o.coupons !== undefined) {
    if (!Array.isArray(o.coupons) || !o.coupons.every((c) => str(c, 100))) fail('$.coupons', 'must be an array of codes.');
    out.push(...(o.coupons as string[]));
  }
  if (o.discounts !== undefined) {
    if (!isObj(o.discounts)) fail('$.discounts', 'must be an object.');
    const c = (o.discounts as Obj).codes;
    if (c !== undefined && (!Array.isArray(c) || !c.every((x) => str(x, 100)))) fail('$.discounts.codes', 'must be an array of codes.');
    out.push(...((c as string[] | undefined) ?? []));
  }
  return out;
}

export function createInput(body: unknown): CreateInput {
  if (!isObj(body)) return fail('$', 'must be a JSON object.');
  only(body, ['buyer', 'line_items', 'currency', 'fulfillment_details', 'capabilities', 'fulfillment_groups', 'affiliate_attribution', 'coupons', 'discounts', 'locale', 'timezone', 'quote_id', 'metadata'], '$');
  if (!str(body.currency, 10) || !/^[A-Za-z]{3}$/.test(body.currency)) fail('$.currency', 'is required (ISO 4217, e.g. usd).');
  if (!isObj(body.capabilities)) fail('$.capabilities', 'is required (an object).');
  return {
    lines: lines(body.line_items, '$.line_items'),
    currency: (body.currency as string).toUpperCase(),
    buyer: buyer(body.buyer, '$.buyer'),
    fulfillment: fulfillment(body.fulfillment_details, '$.fulfillment_details'),
    attribution: attribution(body.affiliate_attribution, '$.affiliate_attribution', 'first'),
    codes: codesOf(body),
  };
}

export interface UpdateInput {
  lines?: AcpLine[];
  buyer?: AcpBuyer;
  fulfillment?: AcpFulfillment;
  optionId?: string;
  codes: string[];
}

export function updateInput(body: unknown): UpdateInput {
  if (!isObj(body)) return fail('$', 'must be a JSON object.');
  only(body, ['buyer', 'line_items', 'fulfillment_details', 'fulfillment_groups', 'selected_fulfillment_options', 'coupons', 'discounts', 'order_notes'], '$');
  let optionId: string | undefined;
  const sel = body.selected_fulfillment_options;
  if (sel !== undefined) {
    if (!Array.isArray(sel) || sel.length > 1) fail('$.selected_fulfillment_options', 'must be an array of one selection (every item ships one way).');
    const s = (sel as unknown[])[0];
    if (s !== undefined) {
      if (!isObj(s)) fail('$.selected_fulfillment_options[0]', 'must be an object.');
      const o = s as Obj;
      only(o, ['type', 'option_id', 'item_ids'], '$.selected_fulfillment_options[0]');
      if (!['shipping', 'digital', 'pickup', 'local_delivery'].includes(o.type as string)) fail('$.selected_fulfillment_options[0].type', 'must be shipping, digital, pickup or local_delivery.');
      if (!str(o.option_id, 200) || o.option_id === '') fail('$.selected_fulfillment_options[0].option_id', 'is required.');
      if (!Array.isArray(o.item_ids)) fail('$.selected_fulfillment_options[0].item_ids', 'is required (an array).');
      optionId = o.option_id as string;
    }
  }
  return {
    ...(body.line_items !== undefined ? { lines: lines(body.line_items, '$.line_items') } : {}),
    buyer: buyer(body.buyer, '$.buyer'),
    fulfillment: fulfillment(body.fulfillment_details, '$.fulfillment_details'),
    ...(optionId ? { optionId } : {}),
    codes: codesOf(body),
  };
}

export interface CompleteInput {
  token: string;
  buyer?: AcpBuyer;
  attribution?: AcpAttribution;
}

export function completeInput(body: unknown): CompleteInput {
  if (!isObj(body)) return fail('$', 'must be a JSON object.');
  only(body, ['buyer', 'payment_data', 'authentication_result', 'affiliate_attribution', 'risk_signals', 'marketing_consents', 'order_notes'], '$');
  const pd = body.payment_data;
  if (!isObj(pd)) return fail('$.payment_data', 'is required.');
  if (pd.purchase_order_number !== undefined && pd.instrument === undefined) fail('$.payment_data.purchase_order_number', 'purchase orders are not accepted; pay with a delegated payment token.');
  if (!str(pd.handler_id, 200) || pd.handler_id !== 'handoff_delegated_card') fail('$.payment_data.handler_id', 'must be handoff_delegated_card (capabilities.payment.handlers).');
  const inst = pd.instrument;
  if (!isObj(inst) || !str(inst.type, 50)) return fail('$.payment_data.instrument', 'is required (type and credential).');
  const cred = inst.credential;
  if (!isObj(cred) || !str(cred.type, 50) || !str(cred.token, 500) || cred.token === '') return fail('$.payment_data.instrument.credential.token', 'is required (the delegated payment token).');
  return { token: cred.token as string, buyer: buyer(body.buyer, '$.buyer'), attribution: attribution(body.affiliate_attribution, '$.affiliate_attribution', 'last') };
}

export function cancelInput(body: unknown): void {
  if (body === undefined || (isObj(body) && Object.keys(body).length === 0)) return;
  if (!isObj(body)) fail('$', 'must be a JSON object.');
  only(body as Obj, ['intent_trace'], '$');
}
