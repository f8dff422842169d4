// GraphQL adapter for an agent's own checkout sessions (the ACP routes at the gateway build on it):
// createAgentCheckoutSession, setAgentCheckoutLineItems, and CheckoutSession.acpStatus.
import { idempotencyKeyOf, requireKind } from '@handoff/shared';
import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import { termsOf } from '../checkout-lifecycle/session-terms.js';
import type { CheckoutSessionTermsEntity } from '../checkout-lifecycle/session-terms.entity.js';
import type { SessionCalculationService } from '../session-calculation/session-calculation.service.js';
import type { AcpCheckoutService } from './acp-checkout.service.js';
import { AgentCheckoutLineInput, CreateAgentCheckoutSessionInput, UpdateAgentCheckoutSessionInput } from './acp-checkout.type.js';
import { acpStatusOf, needsBlockers } from './acp-status.js';

const termsLoaders = new WeakMap<object, DataLoader<string, CheckoutSessionTermsEntity | null>>();

@Resolver(() => CheckoutSession)
export class AcpCheckoutResolver {
  constructor(
    private readonly acp: AcpCheckoutService,
    private readonly calculations: Pick<SessionCalculationService, 'current'>,
    private readonly manager: Parameters<typeof termsOf>[0],
  ) {}

  @Mutation(() => CheckoutSession, {
    description:
      "Agent: a checkout session for an active merchant from its offers (name and price from each offer; ACP's item id is the offer id), owned by the agent; " +
      'with the buyer, the shipping address and a shipping option when given (the first offered otherwise), priced once in the same transaction; ' +
      'its payment intent is created at once. OFFER_NOT_FOUND for an offer of another merchant, MERCHANT_NOT_FOUND for an unknown or inactive merchant; nothing written then.',
  })
  createAgentCheckoutSession(
    @Arg('input', () => CreateAgentCheckoutSessionInput) input: CreateAgentCheckoutSessionInput,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    const agent = requireKind(ctx.principal, 'AGENT');
    return this.acp.create(agent, input, idempotencyKeyOf(ctx, idempotencyKey));
  }

  @Mutation(() => CheckoutSession, {
    description:
      "Replaces the lines of a session with the merchant's offers (the agent that created it, its merchant, or an admin) while it is OPEN and not being paid; the calculation becomes stale.",
  })
  setAgentCheckoutLineItems(
    @Arg('id', () => ID) id: string,
    @Arg('lineItems', () => [AgentCheckoutLineInput]) lineItems: AgentCheckoutLineInput[],
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, 'AGENT', 'MERCHANT', 'ADMIN');
    return this.acp.setLines(ctx.principal, id, lineItems, expectedVersion, idempotencyKeyOf(ctx, null));
  }

  @Mutation(() => CheckoutSession, {
    description:
      "Agent (or the session's merchant, an admin): the ACP update in one change while the session is OPEN: its lines, buyer, shipping address and shipping option " +
      '(the one named, else the one kept, else the first offered), then priced once and made current in the same transaction. BAD_USER_INPUT naming the part, nothing written.',
  })
  updateAgentCheckoutSession(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateAgentCheckoutSessionInput) input: UpdateAgentCheckoutSessionInput,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, 'AGENT', 'MERCHANT', 'ADMIN');
    return this.acp.update(ctx.principal, id, input, expectedVersion, idempotencyKeyOf(ctx, null));
  }

  @Mutation(() => CheckoutSession, {
    description:
      "Agent (or the session's merchant, an admin): the session's payment intent for its current calculation, created when it has none " +
      '(createAgentCheckoutSession with deferPaymentIntent); the session as it is otherwise. CHECKOUT_SESSION_NOT_FOUND, CALCULATION_STALE, INVALID_STATE_TRANSITION once it ended.',
  })
  prepareAgentCheckoutPayment(@Arg('id', () => ID) id: string, @Ctx() ctx: CheckoutContext): Promise<CheckoutSessionEntity> {
    requireKind(ctx.principal, 'AGENT', 'MERCHANT', 'ADMIN');
    return this.acp.preparePayment(ctx.principal, id);
  }

  @FieldResolver(() => String, {
    description:
      "The Agentic Commerce Protocol's status: not_ready_for_payment, ready_for_payment, complete_in_progress, completed, canceled, expired or requires_escalation (README: ACP status mapping).",
  })
  async acpStatus(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<string> {
    let loader = termsLoaders.get(ctx);
    if (!loader) {
      loader = new DataLoader((ids: readonly string[]) => termsOf(this.manager, ids), { maxBatchSize: 500 });
      termsLoaders.set(ctx, loader);
    }
    const terms = await loader.load(s.id);
    const blockers = needsBlockers(s) ? ((await this.calculations.current(s))?.calculation.blockers ?? null) : null;
    return acpStatusOf(s, terms, blockers);
  }
}
