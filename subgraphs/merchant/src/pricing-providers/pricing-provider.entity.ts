// Who prices one concern (tax, shipping or promotions) for a merchant
// (merchant.pricing_providers, one row per merchant and concern; no row = BUILT_IN). An HTTP
// provider's signing secret is stored only as AES-256-GCM ciphertext (payment-connector/crypto.ts).
import type { PricingConcern, PricingProviderFallback, PricingProviderKind } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'pricing_providers' })
export class PricingProviderEntity {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' }) merchantId: string;
  @PrimaryColumn({ type: 'text' }) concern: PricingConcern;
  @Column({ type: 'text' }) kind: PricingProviderKind;
  @Column({ type: 'text', name: 'endpoint_url', nullable: true }) endpointUrl: string | null;
  @Column({ type: 'text', name: 'signing_secret_ciphertext', nullable: true }) signingSecretCiphertext: string | null;
  @Column({ type: 'int', name: 'timeout_ms', nullable: true }) timeoutMs: number | null;
  @Column({ type: 'text', nullable: true }) fallback: PricingProviderFallback | null;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}

/** What events and reads may show: everything but the secret. */
export function providerSnapshot(p: PricingProviderEntity): Record<string, unknown> {
  return { concern: p.concern, kind: p.kind, endpointUrl: p.endpointUrl, timeoutMs: p.timeoutMs, fallback: p.fallback };
}
