// The sandbox's admin triggers, by Handoff payment intent id: what an operator would do in a
// real PSP's dashboard. Handoff's intent changes only when the resulting webhook arrives.
import { badUserInput } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { PaymentIntentEntity } from '../../payment-intent/payment-intent.entity.js';
import { PaymentProvider } from '../../payment-intent/payment-intent.enums.js';
import { paymentIntentNotFound, pspRequestFailed } from '../../payment-intent/payment-intent.errors.js';
import { PspRequestRejected } from '../connector.js';
import type { DisputeOutcome, SandboxConnector } from './sandbox-connector.js';

export class SandboxAdmin {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sandbox: SandboxConnector,
    private readonly committed: () => void,
  ) {}

  async triggerRefund(paymentIntentId: string, amountMinor: number | null): Promise<{ eventIds: string[]; refundId: string | null }> {
    return this.run(paymentIntentId, async (manager, pspId) => {
      const payment = await this.sandbox.findPayment(manager, pspId);
      const amount = amountMinor ?? (payment ? payment.amountReceivedMinor - payment.amountRefundedMinor : 0);
      if (!Number.isSafeInteger(amount) || amount < 1) throw badUserInput('amountMinor', 'must be at least 1.');
      const refundId = await this.sandbox.refund(manager, pspId, amount);
      return { eventIds: [], refundId };
    });
  }

  async triggerDispute(paymentIntentId: string, outcome: DisputeOutcome): Promise<{ eventIds: string[]; refundId: string | null }> {
    return this.run(paymentIntentId, async (manager, pspId) => ({ eventIds: await this.sandbox.dispute(manager, pspId, outcome), refundId: null }));
  }

  private async run<T>(paymentIntentId: string, body: (manager: import('typeorm').EntityManager, pspId: string) => Promise<T>): Promise<T> {
    const intent = await this.dataSource.getRepository(PaymentIntentEntity).findOneBy({ id: paymentIntentId });
    if (!intent || intent.provider !== PaymentProvider.TEST || !intent.providerPaymentId) throw paymentIntentNotFound(paymentIntentId);
    try {
      const result = await this.dataSource.transaction((manager) => body(manager, intent.providerPaymentId!));
      this.committed();
      return result;
    } catch (err) {
      if (err instanceof PspRequestRejected) throw pspRequestFailed(err.message);
      throw err;
    }
  }
}
