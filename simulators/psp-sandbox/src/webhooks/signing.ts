// How the sandbox signs a webhook: Stripe's scheme in a `Handoff-Signature` header (docs/api.md,
// "Webhooks in"), from shared's one implementation, which Handoff also verifies with.
import { HANDOFF_SIGNATURE_HEADER, signatureHeader } from '@handoff/shared';

export const SIGNATURE_HEADER = HANDOFF_SIGNATURE_HEADER;
export { signatureHeader };
