// A delegated payment token (ACP delegate_payment, issue 21 item 2): a card an agent platform
// handed over for one checkout, vaulted at the merchant's PSP (only its pm_… id is kept: never the
// number, the CVC or the expiry) and usable within its allowance — one_time, at most
// max_amount_minor in currency, until expires_at, for merchant_id's checkout_session_id.
import { MinorUnitsColumn } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DelegatedTokenStatus } from './delegated-token.states.js';

@Entity({ name: 'delegated_payment_tokens' })
export class DelegatedTokenEntity {
  /** vt_<ulid> */
  @PrimaryColumn({ type: 'text' })
  id: string;

  /** The agent (platform) that delegated it: only it may pay with it. */
  @Column({ name: 'agent_id', type: 'text' })
  agentId: string;

  @Column({ name: 'merchant_id', type: 'text' })
  merchantId: string;

  @Column({ name: 'checkout_session_id', type: 'text' })
  checkoutSessionId: string;

  /** Always one_time (the spec's only reason). */
  @Column({ type: 'text' })
  reason: string;

  @MinorUnitsColumn({ name: 'max_amount_minor' })
  maxAmountMinor: number;

  /** Handoff's form (upper case ISO 4217). */
  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** The PSP the card is vaulted at (TEST, STRIPE) and its payment method there. */
  @Column({ type: 'text' })
  provider: string;

  @Column({ name: 'payment_method_id', type: 'text' })
  paymentMethodId: string;

  @Column({ name: 'card_brand', type: 'text', nullable: true })
  cardBrand: string | null;

  @Column({ name: 'card_last4', type: 'text', nullable: true })
  cardLast4: string | null;

  @Column({ name: 'card_funding', type: 'text' })
  cardFunding: string;

  /** The request's metadata as given, with merchant_id and idempotency_key added (the spec's echo). */
  @Column({ type: 'jsonb' })
  metadata: Record<string, string>;

  @Column({ name: 'risk_signals', type: 'jsonb' })
  riskSignals: Array<{ type: string; score: number; action: string }>;

  @Column({ type: 'text' })
  status: DelegatedTokenStatus;

  /** The intent it paid (CONSUMED). */
  @Column({ name: 'payment_intent_id', type: 'text', nullable: true })
  paymentIntentId: string | null;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt: Date | null;

  /** Declined attempts (nothing charged; the token stays usable). */
  @Column({ name: 'declined_attempts', type: 'int', default: 0 })
  declinedAttempts: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
