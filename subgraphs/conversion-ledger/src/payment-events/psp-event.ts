// The `psp_event.<kind>` jobs on `ledger-payment-events` (kinds succeeded, refunded, dispute_*;
// docs/internal-contracts.md): outbox job data from payment-intent whose `object` is what the
// PSP reported, signed by the PSP, and whose `paymentIntent` is Handoff's own record of the
// payment. The queue and the payload are the contract in shared/src/contracts/payment-events.contract.ts.
import { pspEventKindOf, type PspEventObject, type PspEventPayload } from '@handoff/shared';

export { LEDGER_PAYMENT_EVENTS_QUEUE, type PspEventJob, type PspEventKind, type PspEventPayload } from '@handoff/shared';
export type PspObject = PspEventObject;

export const pspKind = pspEventKindOf;

/** One conversion per payment: the PSP's own payment id, per provider. */
export const paymentKey = (p: PspEventPayload): string => `${p.provider}:${p.object.id}`;

/** True when the payment carries any attribution metadata (an agent checkout, not a plain merchant checkout). */
export const isAttributed = (o: PspObject): boolean => Object.keys(o.metadata ?? {}).some((k) => k.startsWith('aap_'));
