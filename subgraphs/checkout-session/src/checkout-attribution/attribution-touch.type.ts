// The GraphQL faces of attribution touches (issue 21 item 4): what attachCheckoutAttribution takes
// and answers, and the first and last touch on CheckoutSession.attribution.
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { CheckoutSession } from '../checkout-session/checkout-session.type.js';

export enum AttributionTouchpoint {
  FIRST = 'FIRST',
  LAST = 'LAST',
}
registerEnumType(AttributionTouchpoint, {
  name: 'AttributionTouchpoint',
  description: "ACP's affiliate_attribution touchpoint: FIRST (at session creation) or LAST (at completion, the default).",
});

export enum AttributionTouchStatus {
  VERIFIED = 'VERIFIED',
  INVALID = 'INVALID',
  UNVERIFIED_PROVIDER = 'UNVERIFIED_PROVIDER',
}
registerEnumType(AttributionTouchStatus, {
  name: 'AttributionTouchStatus',
  description:
    "VERIFIED: Handoff's own AAP code, verified as on the PSP's webhook and bound to the session. INVALID: Handoff's provider but the code failed (reason). UNVERIFIED_PROVIDER: another provider's token, recorded, not verified, earning nothing here.",
});

@ObjectType('AttributionTouch', { description: 'One attribution an agent attached to a checkout session, with its verdict. The token itself is write-only: never shown.' })
export class AttributionTouch {
  @Field(() => AttributionTouchpoint) touchpoint: AttributionTouchpoint;
  @Field() provider: string;
  @Field(() => AttributionTouchStatus) status: AttributionTouchStatus;
  @Field(() => String, {
    nullable: true,
    description:
      'Why it is INVALID: AAP_MALFORMED, AAP_WRONG_ISSUER, AAP_UNKNOWN_KEY, AAP_SIGNATURE_INVALID, AAP_EXPIRED, AAP_BINDING_MISMATCH (offer not on the session, another agent, another merchant, or a code of another checkout session) or AAP_REPLAYED (its recommendation is bound to, or was paid by, another checkout session). Null otherwise.',
  })
  reason: string | null;
  @Field(() => ID, { nullable: true, description: 'The recommendation a VERIFIED touch names.' }) recommendationId: string | null;
  @Field(() => Date) at: Date;
}

@ObjectType('AttributionVerdict', { description: "attachCheckoutAttribution's answer: never an error for a bad token (it never blocks the purchase)." })
export class AttributionVerdict extends AttributionTouch {
  @Field({ description: "True when this attach bound the session's payment to the token's recommendation (the code the PSP payment carries)." })
  bound: boolean;
  @Field(() => CheckoutSession) checkoutSession: CheckoutSession;
}

@InputType('AttachCheckoutAttributionInput')
export class AttachCheckoutAttributionInput {
  @Field(() => ID) checkoutSessionId: string;
  @Field({ description: "ACP's affiliate_attribution.provider: this Handoff's AAP_ISSUER for an AAP code (≤ 200 characters)." }) provider: string;
  @Field({ description: 'The provider-issued token (≤ 2000 characters): for Handoff, the attributionToken recommend returned.' }) token: string;
  @Field(() => AttributionTouchpoint, { nullable: true, description: 'Default LAST.' }) touchpoint?: AttributionTouchpoint | null;
}
