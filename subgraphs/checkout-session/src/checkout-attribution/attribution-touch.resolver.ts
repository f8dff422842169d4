// attachCheckoutAttribution, and Attribution.firstTouch / lastTouch: check the principal, map
// arguments, call the service.
import { requireKind } from '@handoff/shared';
import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { Attribution, CheckoutSession } from '../checkout-session/checkout-session.type.js';
import type { CheckoutContext } from '../context.js';
import type { AttachResult, AttributionTouchService, TouchRow } from './attribution-touch.service.js';
import { AttachCheckoutAttributionInput, AttributionTouch, AttributionVerdict } from './attribution-touch.type.js';

type Touches = { first: TouchRow | null; last: TouchRow | null };
const loaders = new WeakMap<object, DataLoader<string, Touches>>();

function touchesLoader(ctx: CheckoutContext, service: AttributionTouchService): DataLoader<string, Touches> {
  let loader = loaders.get(ctx);
  if (!loader) {
    loader = new DataLoader((ids: readonly string[]) => service.touchesOf(ids));
    loaders.set(ctx, loader);
  }
  return loader;
}

@Resolver(() => AttributionVerdict)
export class AttributionTouchResolver {
  constructor(private readonly touches: AttributionTouchService) {}

  @Mutation(() => AttributionVerdict, {
    description:
      "Agent: attaches an affiliate attribution (ACP's affiliate_attribution) to a checkout session it created. A token from this Handoff's AAP_ISSUER is verified as on the PSP's webhook; a verified one binds the session's payment to its recommendation (the ledger then creates the conversion and commission when it is paid; last touch wins). An invalid one never blocks the purchase: the answer says why (reason), the timeline flags it, nothing is bound or earned.",
  })
  attachCheckoutAttribution(
    @Arg('input', () => AttachCheckoutAttributionInput) input: AttachCheckoutAttributionInput,
    @Ctx() ctx: CheckoutContext,
  ): Promise<AttachResult> {
    const agent = requireKind(ctx.principal, 'AGENT');
    return this.touches.attach(agent, input);
  }

  @FieldResolver(() => CheckoutSession)
  checkoutSession(@Root() r: AttachResult): CheckoutSessionEntity {
    return r.session;
  }
}

@Resolver(() => Attribution)
export class AttributionTouchesResolver {
  constructor(private readonly touches: AttributionTouchService) {}

  @FieldResolver(() => AttributionTouch, { nullable: true, description: 'The first-touch attribution attached (a verified one is kept).' })
  async firstTouch(@Root() a: Attribution, @Ctx() ctx: CheckoutContext): Promise<TouchRow | null> {
    return (await touchesLoader(ctx, this.touches).load(a.checkoutSessionId)).first;
  }

  @FieldResolver(() => AttributionTouch, { nullable: true, description: 'The last-touch attribution attached (the latest).' })
  async lastTouch(@Root() a: Attribution, @Ctx() ctx: CheckoutContext): Promise<TouchRow | null> {
    return (await touchesLoader(ctx, this.touches).load(a.checkoutSessionId)).last;
  }
}
