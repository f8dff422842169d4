// The sandbox's dashboard triggers, by Handoff payment intent id: what an operator would do in a
// real PSP's dashboard, asked of the sandbox with its operator key (the merchant may have left the
// sandbox since). Handoff's intent changes only when the resulting webhook arrives.
import { badUserInput } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { PaymentIntentEntity } from '../../payment-intent/payment-intent.entity.js';
import { PaymentProvider } from '../../payment-intent/payment-intent.enums.js';
import { paymentIntentNotFound, pspRequestFailed } from '../../payment-intent/payment-intent.errors.js';
import { PspRequestRejected } from '../connector.js';
import { SandboxApiError, type SandboxClient } from './sandbox-client.js';
import { rejectedFrom } from './sandbox-connector.js';

export type DisputeOutcome = 'OPEN' | 'WON' | 'LOST';

export class SandboxAdmin {
  constructor(
    private readonly dataSource: DataSource,
    private readonly client: SandboxClient,
  ) {}

  async triggerRefund(paymentIntentId: string, amountMinor: number | null): Promise<{ eventIds: string[]; refundId: string | null }> {
    return this.run(paymentIntentId, async (path) => {
      const amount = amountMinor ?? (await this.refundable(path));
      if (!Number.isSafeInteger(amount) || amount < 1) throw badUserInput('amountMinor', 'must be at least 1.');
      const refund = await this.client.admin('POST', `${path}/refund`, { amount });
      return { eventIds: [], refundId: String(refund.id) };
    });
  }

  async triggerDispute(paymentIntentId: string, outcome: DisputeOutcome): Promise<{ eventIds: string[]; refundId: string | null }> {
    return this.run(paymentIntentId, async (path) => {
      const answer = await this.client.admin('POST', `${path}/dispute`, { outcome });
      return { eventIds: (answer.event_ids as string[] | undefined) ?? [], refundId: null };
    });
  }

  /** What is left to refund (0 for a payment the sandbox does not know). */
  private async refundable(path: string): Promise<number> {
    try {
      const p = await this.client.admin('GET', path);
      return Number(p.amount_received) - Number(p.amount_refunded);
    } catch (err) {
      if (err instanceof SandboxApiError && err.status === 404) return 0;
      throw err;
    }
  }

  private async run<T>(paymentIntentId: string, body: (dashboardPath: string) => Promise<T>): Promise<T> {
    const intent = await this.dataSource.getRepository(PaymentIntentEntity).findOneBy({ id: paymentIntentId });
    if (!intent || intent.provider !== PaymentProvider.TEST || !intent.providerPaymentId) throw paymentIntentNotFound(paymentIntentId);
    try {
      return await body(`/v1/dashboard/payment_intents/${encodeURIComponent(intent.providerPaymentId)}`);
    } catch (err) {
      const e = rejectedFrom(err);
      if (e instanceof PspRequestRejected) throw pspRequestFailed(e.message);
      throw e;
    }
  }
}
