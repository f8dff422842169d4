// The GraphQL face of remediation: failures (with how they were resolved), support notes, the
// resolve input and its answer.
import { Connection } from '@handoff/shared';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';
import type { CheckoutSessionEntity } from '../checkout-session/checkout-session.entity.js';
import { CheckoutBlocker } from '../session-calculation/session-calculation.type.js';
import type { CheckoutFailureEntity, CheckoutSupportNoteEntity } from './remediation.entity.js';

export enum CheckoutFailureCategory {
  PAYMENT_DECLINED = 'payment_declined',
  INVENTORY_SHORTFALL = 'inventory_shortfall',
  FRAUD_BLOCK = 'fraud_block',
  VALIDATION = 'validation',
  PAYMENT_AMOUNT_MISMATCH = 'payment_amount_mismatch',
}
registerEnumType(CheckoutFailureCategory, { name: 'CheckoutFailureCategory', description: 'Why a checkout failed (seed 003 §15).' });

export enum CheckoutResolveAction {
  RETRY_PAYMENT = 'retry_payment',
  APPLY_DISCOUNT = 'apply_discount',
  MANUAL_OVERRIDE = 'manual_override',
  CANCEL = 'cancel',
}
registerEnumType(CheckoutResolveAction, { name: 'CheckoutResolveAction' });

@ObjectType('CheckoutActor', { description: 'Who did it: merchant, admin (the API key id), service (its name).' })
export class CheckoutActor {
  @Field() kind: string;
  @Field() id: string;
}

const actor = (kind: string, id: string) => Object.assign(new CheckoutActor(), { kind, id });

@ObjectType('CheckoutFailureResolution')
export class CheckoutFailureResolution {
  @Field({ description: 'retry_payment, apply_discount, manual_override, cancel, or completed (the session was paid after all).' }) action: string;
  @Field(() => String, { nullable: true }) note: string | null;
  @Field(() => Date) resolvedAt: Date;
  @Field(() => CheckoutActor) resolvedBy: CheckoutActor;
  @Field(() => String, { nullable: true, description: 'apply_discount: the code applied.' }) promotionCode: string | null;
  @Field(() => ID, { nullable: true, description: 'retry_payment of an expired session: the session that replaced it.' })
  replacementCheckoutSessionId: string | null;
}

@ObjectType('CheckoutFailure', { description: "A checkout's failure: open until resolved (or the session is paid)." })
export class CheckoutFailure {
  @Field(() => ID) id: string;
  @Field(() => ID) checkoutSessionId: string;
  @Field(() => ID) merchantId: string;
  @Field(() => CheckoutFailureCategory) category: CheckoutFailureCategory;
  @Field({ description: 'payment_declined:<decline code>, inventory_shortfall, fraud_block, validation, payment_amount_mismatch.' }) reason: string;
  @Field() message: string;
  @Field(() => String, { nullable: true, description: 'payment_declined: the decline code.' }) declineCode: string | null;
  @Field(() => [CheckoutBlocker], { description: 'validation and inventory_shortfall: what stood in the way of paying.' }) blockers: CheckoutBlocker[];
  @Field(() => ID, { nullable: true }) paymentIntentId: string | null;
  @Field(() => Int, { description: 'How many times it failed before being resolved.' }) occurrences: number;
  @Field(() => Date) firstFailedAt: Date;
  @Field(() => Date) lastFailedAt: Date;
  @Field(() => CheckoutActor, { description: 'Who reported the last occurrence.' }) recordedBy: CheckoutActor;
  @Field(() => CheckoutFailureResolution, { nullable: true, description: 'Null while open.' }) resolution: CheckoutFailureResolution | null;

  static from(f: CheckoutFailureEntity): CheckoutFailure {
    const detail = f.detail ?? {};
    const blockers = Array.isArray(detail.blockers) ? (detail.blockers as Array<Partial<CheckoutBlocker>>) : [];
    const resolved = f.resolvedAt && f.resolution && f.resolvedByKind && f.resolvedById;
    const rd = f.resolutionDetail ?? {};
    return Object.assign(new CheckoutFailure(), {
      id: f.id,
      checkoutSessionId: f.checkoutSessionId,
      merchantId: f.merchantId,
      category: f.category as CheckoutFailureCategory,
      reason: f.reason,
      message: f.message,
      declineCode: typeof detail.declineCode === 'string' ? detail.declineCode : null,
      blockers: blockers.map((b) => ({ code: String(b.code ?? ''), message: String(b.message ?? ''), promotionCode: b.promotionCode ?? null, reason: b.reason ?? null, lineId: b.lineId ?? null })),
      paymentIntentId: f.paymentIntentId,
      occurrences: f.occurrences,
      firstFailedAt: f.firstFailedAt,
      lastFailedAt: f.lastFailedAt,
      recordedBy: actor(f.recordedByKind, f.recordedById),
      resolution: resolved
        ? Object.assign(new CheckoutFailureResolution(), {
            action: f.resolution,
            note: f.resolutionNote,
            resolvedAt: f.resolvedAt,
            resolvedBy: actor(f.resolvedByKind!, f.resolvedById!),
            promotionCode: typeof rd.promotionCode === 'string' ? rd.promotionCode : null,
            replacementCheckoutSessionId: typeof rd.replacementCheckoutSessionId === 'string' ? rd.replacementCheckoutSessionId : null,
          })
        : null,
    });
  }
}

export const CheckoutFailureConnection = Connection('CheckoutFailure', CheckoutFailure);

@ObjectType('CheckoutSupportNote', { description: "A note for the merchant's support team; never shown to the buyer." })
export class CheckoutSupportNote {
  @Field(() => ID) id: string;
  @Field() note: string;
  @Field(() => CheckoutActor, { description: 'The key that wrote it.' }) author: CheckoutActor;
  @Field(() => Date) createdAt: Date;

  static from(n: CheckoutSupportNoteEntity): CheckoutSupportNote {
    return Object.assign(new CheckoutSupportNote(), { id: n.id, note: n.note, author: actor(n.authorKind, n.authorId), createdAt: n.createdAt });
  }
}

@ObjectType('CheckoutResolution')
export class CheckoutResolution {
  @Field(() => CheckoutSession) checkoutSession: CheckoutSessionEntity;
  @Field(() => CheckoutFailure, { description: 'The failure, resolved.' }) failure: CheckoutFailure;
  @Field(() => CheckoutSession, { nullable: true, description: 'retry_payment of an expired session: the new session to pay (its url and clientToken).' })
  replacement: CheckoutSessionEntity | null;
}

@InputType('ResolveCheckoutFailureInput')
export class ResolveCheckoutFailureInput {
  @Field(() => CheckoutResolveAction) action: CheckoutResolveAction;
  @Field(() => String, { nullable: true, description: 'At most 2000 characters; required for manual_override.' }) note?: string | null;
  @Field(() => String, { nullable: true, description: 'apply_discount: the promotion code to apply.' }) promotionCode?: string | null;
}
