// The GraphQL face of a merchant's pricing providers. `signingSecret` is filled only in the
// result of setPricingProvider that made it (HTTP, new or rotated); every later read shows null.
import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { PricingProviderEntity } from './pricing-provider.entity.js';

export enum PricingConcern {
  TAX = 'TAX',
  SHIPPING = 'SHIPPING',
  PROMOTIONS = 'PROMOTIONS',
  /** Stock for inventory reservations: Handoff's (setStock) or the merchant's endpoint. */
  INVENTORY = 'INVENTORY',
}
registerEnumType(PricingConcern, { name: 'PricingConcern', description: 'What a provider computes for a checkout (INVENTORY: who keeps the stock reservations hold).' });

export enum PricingProviderKind {
  BUILT_IN = 'BUILT_IN',
  HTTP = 'HTTP',
}
registerEnumType(PricingProviderKind, {
  name: 'PricingProviderKind',
  description: "BUILT_IN: Handoff computes from the merchant's configuration. HTTP: Handoff asks the merchant's endpoint.",
});

export enum PricingProviderFallback {
  BUILT_IN = 'BUILT_IN',
  FAIL = 'FAIL',
}
registerEnumType(PricingProviderFallback, {
  name: 'PricingProviderFallback',
  description: 'When the HTTP endpoint fails or times out: use the built-in provider, or fail the calculation.',
});

@ObjectType('PricingProvider')
export class PricingProviderType {
  @Field(() => PricingConcern) concern: PricingConcern;
  @Field(() => PricingProviderKind) kind: PricingProviderKind;
  @Field(() => String, { nullable: true, description: 'HTTP only.' }) endpointUrl: string | null;
  @Field(() => Int, { nullable: true, description: 'HTTP only: how long Handoff waits, 100..30000 ms.' }) timeoutMs: number | null;
  @Field(() => PricingProviderFallback, { nullable: true, description: 'HTTP only.' }) fallback: PricingProviderFallback | null;
  @Field(() => String, {
    nullable: true,
    description: 'HTTP only, and only in the setPricingProvider result that created or rotated it: the secret requests are signed with.',
  })
  signingSecret: string | null;
  @Field({ description: 'Whether a signing secret is on file (HTTP).' }) hasSigningSecret: boolean;
  @Field(() => Date, { nullable: true, description: 'Null for a concern never set (BUILT_IN).' }) updatedAt: Date | null;

  static from(p: PricingProviderEntity, signingSecret: string | null = null): PricingProviderType {
    return Object.assign(new PricingProviderType(), {
      concern: p.concern,
      kind: p.kind,
      endpointUrl: p.endpointUrl,
      timeoutMs: p.timeoutMs,
      fallback: p.fallback,
      signingSecret,
      hasSigningSecret: p.signingSecretCiphertext !== null,
      updatedAt: p.updatedAt ?? null,
    });
  }
}

@InputType('PricingProviderInput')
export class PricingProviderInput {
  @Field(() => PricingProviderKind) kind: PricingProviderKind;
  @Field(() => String, { nullable: true, description: 'HTTP: required; https (http and private addresses only where allowed).' })
  endpointUrl?: string | null;
  @Field(() => Int, { nullable: true, description: 'HTTP: 100..30000, default 3000.' }) timeoutMs?: number | null;
  @Field(() => PricingProviderFallback, { nullable: true, description: 'HTTP: default BUILT_IN.' }) fallback?: PricingProviderFallback | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'HTTP: make a new signing secret even though one is on file (a new HTTP provider always gets one).',
  })
  rotateSigningSecret?: boolean | null;
}
