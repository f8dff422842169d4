// Seed 003 §15 in GraphQL: failedCheckouts, resolveCheckoutFailure, addCheckoutSupportNote, and
// CheckoutSession.failures / supportNotes (its merchant and admins only: null for the hosted page
// and agents). Check the principal, map arguments, call the service.
import { idempotencyKeyOf, mapPage, requireKind, type Page, type Principal } from '@handoff/shared';
import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CheckoutContext } from '../context.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import type { CheckoutFailureEntity, CheckoutSupportNoteEntity } from './remediation.entity.js';
import type { RemediationService } from './remediation.service.js';
import type { ResolveService } from './resolve.service.js';
import {
  CheckoutFailure,
  CheckoutFailureConnection,
  CheckoutResolution,
  CheckoutSupportNote,
  ResolveCheckoutFailureInput,
} from './remediation.type.js';

interface Loaders {
  failures: DataLoader<string, CheckoutFailureEntity[]>;
  notes: DataLoader<string, CheckoutSupportNoteEntity[]>;
}
const loaders = new WeakMap<object, Loaders>();

/** Support notes and failures are the merchant's and the operators', never the buyer's or an agent's. */
const mayReadRemediation = (p: Principal) => p.kind === 'MERCHANT' || p.kind === 'ADMIN';

@Resolver(() => CheckoutSession)
export class RemediationResolver {
  constructor(
    private readonly remediation: RemediationService,
    private readonly resolutions: ResolveService,
  ) {}

  private loaders(ctx: CheckoutContext): Loaders {
    let l = loaders.get(ctx);
    if (!l) {
      l = {
        failures: new DataLoader((ids: readonly string[]) => this.remediation.failuresOf(ids), { maxBatchSize: 500 }),
        notes: new DataLoader((ids: readonly string[]) => this.remediation.notesOf(ids), { maxBatchSize: 500 }),
      };
      loaders.set(ctx, l);
    }
    return l;
  }

  @Query(() => CheckoutFailureConnection, {
    description:
      'Checkouts that failed and were neither paid nor canceled, with their open failure (oldest first). A merchant: its own; an admin: all, or one merchant\'s. ' +
      '`reason`: a category (payment_declined) or an exact reason (payment_declined:insufficient_funds); `since`: failed at or after.',
  })
  async failedCheckouts(
    @Arg('merchantId', () => ID, { nullable: true }) merchantId: string | null,
    @Arg('reason', () => String, { nullable: true }) reason: string | null,
    @Arg('since', () => Date, { nullable: true }) since: Date | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<Page<CheckoutFailure>> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return mapPage(await this.remediation.list(ctx.principal, { merchantId, reason, since, first, after }), CheckoutFailure.from);
  }

  @Mutation(() => CheckoutResolution, {
    description:
      'Resolves the open failure of a checkout session (its merchant or an admin): retry_payment, apply_discount (promotionCode), manual_override (admin, with a note) or cancel; ' +
      'the failure records the action, the note, who and when. No open failure: INVALID_STATE_TRANSITION (checkout_failure:none).',
  })
  async resolveCheckoutFailure(
    @Arg('id', () => ID, { description: 'The checkout session.' }) id: string,
    @Arg('input', () => ResolveCheckoutFailureInput) input: ResolveCheckoutFailureInput,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutResolution> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    const r = await this.resolutions.resolve(ctx.principal, id, input, idempotencyKeyOf(ctx, null));
    return Object.assign(new CheckoutResolution(), { checkoutSession: r.session, failure: CheckoutFailure.from(r.failure), replacement: r.replacement });
  }

  @Mutation(() => CheckoutSupportNote, { description: "A note on a checkout session for the merchant's support team (at most 2000 characters); the author is the caller's key." })
  async addCheckoutSupportNote(
    @Arg('id', () => ID, { description: 'The checkout session.' }) id: string,
    @Arg('note') note: string,
    @Arg('idempotencyKey', () => String, { nullable: true }) idempotencyKey: string | null,
    @Ctx() ctx: CheckoutContext,
  ): Promise<CheckoutSupportNote> {
    requireKind(ctx.principal, 'MERCHANT', 'ADMIN');
    return CheckoutSupportNote.from(await this.remediation.addNote(ctx.principal, id, note, idempotencyKeyOf(ctx, idempotencyKey)));
  }

  @FieldResolver(() => [CheckoutSupportNote], { nullable: true, description: 'Oldest first. Its merchant and admins only (null otherwise, never the hosted page).' })
  async supportNotes(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<CheckoutSupportNote[] | null> {
    if (!mayReadRemediation(ctx.principal)) return null;
    return (await this.loaders(ctx).notes.load(s.id)).map(CheckoutSupportNote.from);
  }

  @FieldResolver(() => [CheckoutFailure], { nullable: true, description: 'Every failure of the session, open and resolved, oldest first. Its merchant and admins only.' })
  async failures(@Root() s: CheckoutSessionEntity, @Ctx() ctx: CheckoutContext): Promise<CheckoutFailure[] | null> {
    if (!mayReadRemediation(ctx.principal)) return null;
    return (await this.loaders(ctx).failures.load(s.id)).map(CheckoutFailure.from);
  }
}

@Resolver(() => CheckoutFailure)
export class CheckoutFailureResolver {
  constructor(private readonly sessions: { findVisible(p: Principal, id: string): Promise<CheckoutSessionEntity | null> }) {}

  @FieldResolver(() => CheckoutSession, { nullable: true, description: 'The failed session (null when the caller may not see it).' })
  checkoutSession(@Root() f: CheckoutFailure, @Ctx() ctx: CheckoutContext): Promise<CheckoutSessionEntity | null> {
    return this.sessions.findVisible(ctx.principal, f.checkoutSessionId);
  }
}
