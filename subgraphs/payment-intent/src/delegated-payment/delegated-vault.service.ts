// The vault (ACP delegate_payment): an agent platform hands over a card with an allowance; the
// card goes to the allowance's merchant's PSP (TEST: the sandbox's vault; STRIPE: a Stripe
// PaymentMethod made from the card data) and only the PSP's pm_… id is kept, beside the allowance,
// under a vt_… id. Idempotent per agent and key (IdempotencyStore): a replay answers the same
// token without vaulting again; the same key with another body is IDEMPOTENCY_KEY_REUSED. The
// key's request hash names the card by an HMAC (HANDOFF_ENCRYPTION_KEY), never by its digits.
import { badUserInput, type IdempotencyCodec, type IdempotencyStore, type Principal } from '@handoff/shared';
import { createHmac } from 'node:crypto';
import { ulid } from 'ulid';
import type { DataSource } from 'typeorm';
import { PspRequestRejected } from '../psp/connector.js';
import type { Connectors } from '../psp/connectors.js';
import type { CredentialsSource } from '../psp/merchant-credentials.js';
import { noPaymentConnector } from '../payment-intent/payment-intent.errors.js';
import { DelegatedTokenEntity } from './delegated-token.entity.js';
import { DelegatedTokenStatus } from './delegated-token.states.js';
import { validateDelegation, type DelegateSpec } from './delegate.validation.js';

export interface Delegated {
  token: DelegatedTokenEntity;
  /** The answer of an earlier request with the same key (nothing vaulted this time). */
  replayed: boolean;
}

const codec: IdempotencyCodec<DelegatedTokenEntity> = {
  toStored: (t) => ({ id: t.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(DelegatedTokenEntity, { id: stored.id }),
};

export class DelegatedVault {
  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: CredentialsSource,
    private readonly connectors: Connectors,
    private readonly idempotency: IdempotencyStore,
    private readonly hmacKey: Buffer,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async delegate(principal: Principal & { kind: 'AGENT' }, spec: DelegateSpec, idempotencyKey?: string): Promise<Delegated> {
    const valid = validateDelegation(spec, this.now());
    const credentials = await this.credentials.get(valid.allowance.merchantId);
    if (!credentials) throw noPaymentConnector(valid.allowance.merchantId);
    const connector = this.connectors.for(credentials);
    const secret = (v: string | null | undefined) => (v ? createHmac('sha256', this.hmacKey).update(`delegate:${v}`).digest('hex') : null);
    const input = { ...spec, paymentMethod: { ...spec.paymentMethod, number: secret(spec.paymentMethod.number), cvc: secret(spec.paymentMethod.cvc) } };
    let ran = false;
    const token = await this.idempotency.run(
      { principal, key: idempotencyKey, operation: 'delegatePayment', input },
      async (manager) => {
        ran = true;
        let vaulted;
        try {
          vaulted = await connector.vaultCard({ manager }, valid.card);
        } catch (err) {
          // The PSP's own words (never card data): a bad card, or an account not allowed to vault card data (Stripe's raw card data APIs).
          if (err instanceof PspRequestRejected) throw badUserInput('paymentMethod.number', `the merchant's payment processor refused to vault this card: ${err.message.slice(0, 300)}`);
          throw err;
        }
        const created = this.now();
        const metadata: Record<string, string> = { ...valid.metadata, merchant_id: valid.allowance.merchantId, ...(idempotencyKey ? { idempotency_key: idempotencyKey } : {}) };
        const row = manager.create(DelegatedTokenEntity, {
          id: `vt_${ulid()}`,
          agentId: principal.agentId,
          merchantId: valid.allowance.merchantId,
          checkoutSessionId: valid.allowance.checkoutSessionId,
          reason: 'one_time',
          maxAmountMinor: valid.allowance.maxAmountMinor,
          currency: valid.allowance.currency,
          expiresAt: valid.allowance.expiresAt,
          provider: credentials.provider,
          paymentMethodId: vaulted.paymentMethodId,
          cardBrand: vaulted.brand ?? spec.paymentMethod.displayBrand ?? null,
          cardLast4: vaulted.last4,
          cardFunding: valid.card.funding,
          metadata,
          riskSignals: valid.riskSignals,
          status: DelegatedTokenStatus.ACTIVE,
          paymentIntentId: null,
          consumedAt: null,
          declinedAttempts: 0,
          createdAt: created,
        });
        await manager.insert(DelegatedTokenEntity, row);
        return row;
      },
      codec,
    );
    return { token, replayed: !ran };
  }

  /** The caller's token (an agent sees only the ones it delegated). */
  async find(principal: Principal & { kind: 'AGENT' }, id: string): Promise<DelegatedTokenEntity | null> {
    if (!/^vt_[A-Za-z0-9]{1,60}$/.test(id)) return null;
    return this.dataSource.getRepository(DelegatedTokenEntity).findOneBy({ id, agentId: principal.agentId });
  }
}
