// Schema `sandbox`: the API's idempotency keys, as Stripe keeps them. A POST with an
// Idempotency-Key stores the response it got in the same transaction as its change; the same key
// again (per account) with the same request answers that response, with another request
// `idempotency_error`. The request is named by a hash of its method, path and JSON body.
import { sqlMigration } from '@handoff/shared';

const S = 'sandbox';

export const SandboxIdempotencyKeys1795600000000 = sqlMigration(
  'SandboxIdempotencyKeys1795600000000',
  [
    `CREATE TABLE "${S}".idempotency_keys (
      merchant_id text NOT NULL,
      key text NOT NULL,
      -- sha256 of method, path and the canonical JSON body
      request_hash text NOT NULL,
      response_status integer NULL,
      response_body jsonb NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (merchant_id, key)
    )`,
  ],
  [`DROP TABLE IF EXISTS "${S}".idempotency_keys`],
);
