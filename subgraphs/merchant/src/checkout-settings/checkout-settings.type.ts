// The GraphQL face of a merchant's checkout settings, capabilities and transaction limits, and
// the `checkout` part of the internal checkoutPricingConfig answer (CheckoutRules, @inaccessible).
import {
  MoneyInput,
  MoneyType,
  money,
  toMoneyType,
  type CheckoutBrandingConfig,
  type CheckoutCapabilitiesConfig,
  type CheckoutRulesMoney,
  type CheckoutSettingsConfig,
  type TransactionLimitsConfig,
} from '@handoff/shared';
import { Directive, Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

/** The same enum (and values) as checkout-session's and payment-intent's CaptureMode. */
export enum CaptureMode {
  AUTOMATIC = 'AUTOMATIC',
  MANUAL = 'MANUAL',
}
registerEnumType(CaptureMode, { name: 'CaptureMode' });

@ObjectType('PaymentMethodsRule', { description: 'The payment methods a buyer in `country` may pay with.' })
export class PaymentMethodsRuleType {
  @Field({ description: 'ISO 3166-1 alpha-2 (of the billing address, else the shipping address), or "*" for every country not listed.' })
  country: string;
  @Field(() => [String], { description: 'Payment method types (card, paypal, klarna, …).' }) methods: string[];
}

@ObjectType('CheckoutBranding', { description: "What the hosted page shows of the merchant's brand." })
export class CheckoutBrandingType {
  @Field(() => String, { nullable: true, description: "Shown instead of the merchant's name; null: the merchant's name." }) displayName: string | null;
  @Field(() => String, { nullable: true, description: '#rrggbb: the page\'s accent colour (buttons, links); null: Handoff\'s.' }) accentColor: string | null;
  @Field(() => String, { nullable: true, description: "An https URL of the merchant's logo (not loaded by the hosted page, which loads nothing from third parties)." })
  logoUrl: string | null;

  static from(b: CheckoutBrandingConfig): CheckoutBrandingType {
    return Object.assign(new CheckoutBrandingType(), { displayName: b.displayName, accentColor: b.accentColor, logoUrl: b.logoUrl });
  }
}

@ObjectType('CheckoutSettings')
export class CheckoutSettingsType {
  @Field(() => CaptureMode, { description: 'The capture mode of a new checkout session that does not give one (default AUTOMATIC).' })
  defaultCaptureMode: CaptureMode;
  @Field(() => Int, { nullable: true, description: 'Confirmation attempts a session may make; a further one is PAYMENT_ATTEMPTS_EXCEEDED. Null: no limit.' })
  maxPaymentAttempts: number | null;
  @Field(() => Int, { description: 'Inventory holds: the TTL of a reservation that gives none (default 900).' }) reservationTtlDefaultSeconds: number;
  @Field(() => Int, { description: 'Inventory holds: the longest TTL a reservation may ask (default 3600).' }) reservationTtlMaxSeconds: number;
  @Field(() => [PaymentMethodsRuleType], { description: 'Empty: every method in every country.' }) allowedPaymentMethods: PaymentMethodsRuleType[];
  @Field(() => CheckoutBrandingType) branding: CheckoutBrandingType;
  @Field(() => Date, { nullable: true, description: 'Null when never set (the defaults).' }) updatedAt: Date | null;

  static from(s: CheckoutSettingsConfig, updatedAt: Date | null): CheckoutSettingsType {
    return Object.assign(new CheckoutSettingsType(), {
      defaultCaptureMode: s.defaultCaptureMode as CaptureMode,
      maxPaymentAttempts: s.maxPaymentAttempts,
      reservationTtlDefaultSeconds: s.reservationTtlDefaultSeconds,
      reservationTtlMaxSeconds: s.reservationTtlMaxSeconds,
      allowedPaymentMethods: s.allowedPaymentMethods.map((r) => Object.assign(new PaymentMethodsRuleType(), { country: r.country, methods: [...r.methods] })),
      branding: CheckoutBrandingType.from(s.branding),
      updatedAt,
    });
  }
}

@ObjectType('CheckoutCapabilities', { description: 'Features enabled for the merchant: an admin sets them, the merchant reads them.' })
export class CheckoutCapabilitiesType {
  @Field({ description: '3-D Secure (default true).' }) threeDSecure: boolean;
  @Field({ description: 'The hosted payment page (default true).' }) hostedPages: boolean;
  @Field({ description: 'Split shipments and payments (default true).' }) splitPayments: boolean;
  @Field({ description: 'Instalments (default false).' }) installments: boolean;
  @Field({ description: 'Gift cards (default false).' }) giftCards: boolean;
  @Field(() => Date, { nullable: true, description: 'Null when never set (the defaults).' }) updatedAt: Date | null;

  static from(c: CheckoutCapabilitiesConfig, updatedAt: Date | null): CheckoutCapabilitiesType {
    return Object.assign(new CheckoutCapabilitiesType(), { ...c, updatedAt });
  }
}

const moneyOrNull = (m: CheckoutRulesMoney | null) => (m ? toMoneyType(money(m.amountMinor, m.currency)) : null);

@ObjectType('TransactionLimits', { description: 'Enforced when a checkout session commits to paying: a payment beyond one is TRANSACTION_LIMIT_EXCEEDED, nothing written.' })
export class TransactionLimitsType {
  @Field(() => MoneyType, { nullable: true, description: 'The most one payment may be; null: no limit.' }) maxAmountPerPayment: MoneyType | null;
  @Field(() => MoneyType, { nullable: true, description: "The most the merchant's payments (committed and not failed) may add up to in one UTC day; null: no limit." })
  maxAmountPerDay: MoneyType | null;
  @Field(() => Int, { nullable: true, description: 'How many sessions with one customer email may commit to paying within an hour; null: no limit.' })
  maxPaymentsPerEmailPerHour: number | null;
  @Field(() => Date, { nullable: true, description: 'Null when never set.' }) updatedAt: Date | null;

  static from(l: TransactionLimitsConfig, updatedAt: Date | null): TransactionLimitsType {
    return Object.assign(new TransactionLimitsType(), {
      maxAmountPerPayment: moneyOrNull(l.maxAmountPerPayment),
      maxAmountPerDay: moneyOrNull(l.maxAmountPerDay),
      maxPaymentsPerEmailPerHour: l.maxPaymentsPerEmailPerHour,
      updatedAt,
    });
  }
}

@ObjectType('CheckoutRules', { description: "Internal: a merchant's settings, capabilities and limits, for checkout-session." })
@Directive('@inaccessible')
export class CheckoutRulesType {
  @Field(() => CheckoutSettingsType) settings: CheckoutSettingsType;
  @Field(() => CheckoutCapabilitiesType) capabilities: CheckoutCapabilitiesType;
  @Field(() => TransactionLimitsType) limits: TransactionLimitsType;
}

@InputType('PaymentMethodsRuleInput')
export class PaymentMethodsRuleInput {
  @Field({ description: 'ISO 3166-1 alpha-2, or "*".' }) country: string;
  @Field(() => [String]) methods: string[];
}

@InputType('CheckoutBrandingInput', { description: 'Fields not given are kept; null clears one.' })
export class CheckoutBrandingInput {
  @Field(() => String, { nullable: true, description: 'At most 100 characters.' }) displayName?: string | null;
  @Field(() => String, { nullable: true, description: '#rrggbb.' }) accentColor?: string | null;
  @Field(() => String, { nullable: true, description: 'An https URL.' }) logoUrl?: string | null;
}

@InputType('CheckoutSettingsInput', { description: 'Changes the fields given; null puts a field back to its default.' })
export class CheckoutSettingsInput {
  @Field(() => CaptureMode, { nullable: true }) defaultCaptureMode?: CaptureMode | null;
  @Field(() => Int, { nullable: true, description: '1..100; null: no limit.' }) maxPaymentAttempts?: number | null;
  @Field(() => Int, { nullable: true, description: '60..604800.' }) reservationTtlDefaultSeconds?: number | null;
  @Field(() => Int, { nullable: true, description: '60..604800, at least the default.' }) reservationTtlMaxSeconds?: number | null;
  @Field(() => [PaymentMethodsRuleInput], { nullable: true, description: 'Replaces the whole list (at most 250 rules); null or []: no restriction.' })
  allowedPaymentMethods?: PaymentMethodsRuleInput[] | null;
  @Field(() => CheckoutBrandingInput, { nullable: true }) branding?: CheckoutBrandingInput | null;
}

@InputType('MerchantCapabilitiesInput', { description: 'Changes the capabilities given; null puts one back to its default.' })
export class MerchantCapabilitiesInput {
  @Field(() => Boolean, { nullable: true }) threeDSecure?: boolean | null;
  @Field(() => Boolean, { nullable: true }) hostedPages?: boolean | null;
  @Field(() => Boolean, { nullable: true }) splitPayments?: boolean | null;
  @Field(() => Boolean, { nullable: true }) installments?: boolean | null;
  @Field(() => Boolean, { nullable: true }) giftCards?: boolean | null;
}

@InputType('TransactionLimitsInput', { description: "Changes the limits given; null removes one. Amounts in the merchant's currency." })
export class TransactionLimitsInput {
  @Field(() => MoneyInput, { nullable: true }) maxAmountPerPayment?: MoneyInput | null;
  @Field(() => MoneyInput, { nullable: true }) maxAmountPerDay?: MoneyInput | null;
  @Field(() => Int, { nullable: true, description: '1..10000.' }) maxPaymentsPerEmailPerHour?: number | null;
}
