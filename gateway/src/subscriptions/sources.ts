// What each served subscription field listens to, who may see which event, and how an event
// becomes its payload: the subscriber's selection, run as a query through the gateway (deps.execute:
// query planning, the subgraphs' tenancy rules, masking) as the subscriber's principal.
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { badUserInput, ErrorCode, forbidden, HandoffError, notFound } from '@handoff/shared/errors/codes';
import { InternalCallError } from '@handoff/shared/http/internal-client';
import type { Principal } from '@handoff/shared/identity/principal';
import type { ConversionLedgerPort } from '../ports/conversion-ledger.port.js';
import type { GatewayRouteDeps } from '../route-deps.js';
import type { BillingSubscriptionChange, Change, ConversionChange, PaymentChange } from './event-bus.js';
import { SUBJECT_VARIABLE, type SubscriptionPlan } from './operation.js';
import type { ResolvedEvent, StreamSource } from './stream.js';

export interface SourceDeps {
  execute: GatewayRouteDeps['execute'];
  /** The conversion-ledger subgraph, for the internal replay query. */
  ledger: ConversionLedgerPort;
  replayPageSize: number;
}

const SESSION_VISIBLE = 'query SubscriptionCheckoutSession($id: ID!) { checkoutSession(id: $id) { id } }';
const INTENT_VISIBLE = 'query SubscriptionPaymentIntent($id: ID!) { paymentIntent(id: $id) { id } }';
const BILLING_SUBSCRIPTION_VISIBLE = 'query SubscriptionBillingSubscription($id: ID!) { billingSubscription(id: $id) { id } }';

const optionalId = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The first error of a failed lookup as a client error (codes pass through; the gateway masked the rest). */
function lookupError(errors: readonly GraphQLFormattedError[] | undefined): GraphQLError {
  const first = errors?.[0];
  return new GraphQLError(first?.message ?? 'Unexpected error.', { extensions: { code: first?.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR } });
}

/** Runs the subscriber's per-event query, shared by subscribers asking the very same thing of one event. */
function resolveShared(deps: SourceDeps, change: Change, plan: SubscriptionPlan, principal: Principal, subjectId: string): Promise<ResolvedEvent> {
  const variables = { ...plan.variables, [SUBJECT_VARIABLE]: subjectId };
  const run = () => deps.execute({ query: plan.query, variables, principal }) as Promise<ResolvedEvent>;
  if (!change.memo) return run();
  const key = `${JSON.stringify(principal)}\n${plan.query}\n${JSON.stringify(variables)}`;
  let result = change.memo.get(key) as Promise<ResolvedEvent> | undefined;
  if (!result) change.memo.set(key, (result = run()));
  return result;
}

/**
 * `paymentIntentUpdated(id, checkoutSessionId)`. A merchant gets its own intents, the hosted page
 * its session's, an admin all, an agent those paying the checkouts it created (the intent's
 * `aap_agent_id` metadata, payment-intent's agent scope). Every payload is read as the subscriber
 * itself. By id, an intent or session the caller may not see is an error at subscribe time.
 */
export async function paymentIntentSource(plan: SubscriptionPlan, principal: Principal, deps: SourceDeps): Promise<StreamSource<PaymentChange>> {
  const id = optionalId(plan.args.id);
  const checkoutSessionId = optionalId(plan.args.checkoutSessionId);
  const sessions = new Map<string, Promise<boolean>>();
  const canSeeSession = (sessionId: string): Promise<boolean> => {
    let seen = sessions.get(sessionId);
    if (!seen) {
      seen = deps.execute<{ checkoutSession: { id: string } | null }>({ query: SESSION_VISIBLE, variables: { id: sessionId }, principal }).then((r) => {
        if (r.errors?.length && !r.data?.checkoutSession) {
          sessions.delete(sessionId); // not remembered: the next event asks again
          throw lookupError(r.errors);
        }
        return Boolean(r.data?.checkoutSession);
      });
      sessions.set(sessionId, seen);
    }
    return seen;
  };

  if (id) {
    const r = await deps.execute<{ paymentIntent: { id: string } | null }>({ query: INTENT_VISIBLE, variables: { id }, principal });
    if (r.errors?.length && !r.data?.paymentIntent) throw lookupError(r.errors);
    if (!r.data?.paymentIntent) throw notFound(ErrorCode.PAYMENT_INTENT_NOT_FOUND, 'Payment intent not found.');
  }
  if (checkoutSessionId && !(await canSeeSession(checkoutSessionId))) {
    throw notFound(ErrorCode.CHECKOUT_SESSION_NOT_FOUND, 'Checkout session not found.');
  }

  const tenantMay = (c: PaymentChange): boolean => {
    switch (principal.kind) {
      case 'ADMIN':
        return true;
      case 'MERCHANT':
        return c.merchantId === principal.merchantId;
      case 'CLIENT':
        return c.checkoutSessionId === principal.checkoutSessionId;
      case 'AGENT':
        return c.agentId === principal.agentId;
      default:
        return false;
    }
  };
  return {
    matches: (c) => (!id || c.intentId === id) && (!checkoutSessionId || c.checkoutSessionId === checkoutSessionId) && tenantMay(c),
    resolve: (c) => resolveShared(deps, c, plan, principal, c.intentId),
  };
}

/**
 * `conversionUpdated(merchantId, after)`. A merchant gets its own conversions (another
 * merchant's id: no events), an agent those it earned, an admin all; the hosted page none.
 * `after` replays, through the ledger's internal query in the caller's scope, then goes live.
 */
export function conversionSource(plan: SubscriptionPlan, principal: Principal, deps: SourceDeps): StreamSource<ConversionChange> {
  if (principal.kind === 'CLIENT') throw forbidden('A checkout client secret has no conversions to watch.');
  const merchantId = optionalId(plan.args.merchantId);
  const after = optionalId(plan.args.after);
  if (after !== undefined && !/^\d{1,18}$/.test(after)) throw badUserInput('after', 'is not a valid cursor.');
  const tenantMay = (c: ConversionChange): boolean => {
    switch (principal.kind) {
      case 'ADMIN':
        return true;
      case 'MERCHANT':
        return c.merchantId === principal.merchantId;
      case 'AGENT':
        return c.agentId === principal.agentId;
      default:
        return false;
    }
  };
  const pageSize = deps.replayPageSize;
  async function* replay(): AsyncGenerator<ConversionChange> {
    let cursor = after!;
    for (;;) {
      let page: Array<Omit<ConversionChange, 'family'>>;
      try {
        page = await deps.ledger.eventsAfter(principal, cursor, merchantId ?? null, pageSize);
      } catch (err) {
        if (err instanceof HandoffError) throw err;
        if (!(err instanceof InternalCallError)) throw err;
        throw new HandoffError(ErrorCode.SERVICE_UNAVAILABLE, 'Could not replay conversion events; subscribe again with the same cursor.');
      }
      for (const event of page) yield { family: 'conversion', ...event };
      if (page.length < pageSize) return;
      cursor = page[page.length - 1]!.cursor;
    }
  }
  return {
    matches: (c) => (!merchantId || c.merchantId === merchantId) && tenantMay(c),
    resolve: (c) => resolveShared(deps, c, plan, principal, c.conversionId),
    ...(after !== undefined ? { replay } : {}),
  };
}

/**
 * `billingSubscriptionUpdated(id)`: every change of the billing subscriptions the caller manages
 * (a merchant: its own; an admin: all), one (id) or all of them: renewals paid, past due, dunning's
 * end, canceled, paused, resumed, item changes. Each payload is read as the subscriber itself
 * (`billingSubscription(id)`, scoped by scopeBillingSubscriptions). By id, one the caller may not
 * see is BILLING_SUBSCRIPTION_NOT_FOUND at subscribe time; the hosted page and agents: FORBIDDEN.
 */
export async function billingSubscriptionSource(plan: SubscriptionPlan, principal: Principal, deps: SourceDeps): Promise<StreamSource<BillingSubscriptionChange>> {
  if (principal.kind !== 'MERCHANT' && principal.kind !== 'ADMIN') throw forbidden('Billing subscription updates are for the merchant (or an admin).');
  const id = optionalId(plan.args.id);
  if (id) {
    const r = await deps.execute<{ billingSubscription: { id: string } | null }>({ query: BILLING_SUBSCRIPTION_VISIBLE, variables: { id }, principal });
    if (r.errors?.length && !r.data?.billingSubscription) throw lookupError(r.errors);
    if (!r.data?.billingSubscription) throw notFound(ErrorCode.BILLING_SUBSCRIPTION_NOT_FOUND, 'Billing subscription not found.');
  }
  const tenantMay = (c: BillingSubscriptionChange): boolean => principal.kind === 'ADMIN' || (principal.kind === 'MERCHANT' && c.merchantId === principal.merchantId);
  return {
    matches: (c) => (!id || c.subscriptionId === id) && tenantMay(c),
    resolve: (c) => resolveShared(deps, c, plan, principal, c.subscriptionId),
  };
}
