// The merchant schema's first migration: its platform tables (idempotency keys, outbox) and
// merchants, offers, agents, builders, API keys and payment connectors. CHECK constraints repeat
// the services' validation so that no code path can store what the API would refuse.
import { createIdempotencyTableSql, createOutboxTableSql, dropIdempotencyTableSql, dropOutboxTableSql, sqlMigration } from '@handoff/shared';
import { SCHEMA_NAME } from '../constants.js';

const s = `"${SCHEMA_NAME}"`;

const up = [
  ...createIdempotencyTableSql(SCHEMA_NAME),
  ...createOutboxTableSql(SCHEMA_NAME),

  `CREATE TABLE ${s}.merchants (
    id text PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    default_currency text NOT NULL CHECK (default_currency ~ '^[A-Z]{3}$'),
    status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED')),
    commission_type text NOT NULL CHECK (commission_type IN ('CPA', 'PERCENTAGE', 'HYBRID')),
    commission_cpa_minor bigint NULL CHECK (commission_cpa_minor > 0),
    commission_cpa_currency text NULL,
    commission_percentage_bps int NULL CHECK (commission_percentage_bps BETWEEN 1 AND 10000),
    validation_period_days int NOT NULL DEFAULT 30 CHECK (validation_period_days BETWEEN 0 AND 365),
    flow_type text NOT NULL,
    flow_steps text[] NOT NULL CHECK (cardinality(flow_steps) BETWEEN 1 AND 20),
    flow_payable_after text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT merchants_cpa_money CHECK ((commission_cpa_minor IS NULL) = (commission_cpa_currency IS NULL)),
    CONSTRAINT merchants_cpa_currency CHECK (commission_cpa_currency IS NULL OR commission_cpa_currency = default_currency),
    CONSTRAINT merchants_commission_shape CHECK (
      (commission_cpa_minor IS NOT NULL) = (commission_type IN ('CPA', 'HYBRID'))
      AND (commission_percentage_bps IS NOT NULL) = (commission_type IN ('PERCENTAGE', 'HYBRID'))
    ),
    CONSTRAINT merchants_payable_after_is_a_step CHECK (flow_payable_after = ANY (flow_steps))
  )`,

  `CREATE TABLE ${s}.offers (
    id text PRIMARY KEY,
    merchant_id text NOT NULL REFERENCES ${s}.merchants (id),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    provider text NOT NULL CHECK (length(provider) BETWEEN 1 AND 200),
    price_minor bigint NOT NULL CHECK (price_minor > 0),
    price_currency text NOT NULL CHECK (price_currency ~ '^[A-Z]{3}$'),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  // A merchant's offers, paged by id.
  `CREATE INDEX offers_merchant_id_idx ON ${s}.offers (merchant_id, id)`,

  `CREATE TABLE ${s}.builders (
    id text PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    registered boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  // Find-or-create by name is an INSERT … ON CONFLICT on this index.
  `CREATE UNIQUE INDEX builders_name_key ON ${s}.builders (lower(name))`,

  `CREATE TABLE ${s}.agents (
    id text PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    builder_id text NULL REFERENCES ${s}.builders (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  `CREATE TABLE ${s}.api_keys (
    id text PRIMARY KEY,
    role text NOT NULL CHECK (role IN ('AGENT', 'MERCHANT', 'ADMIN')),
    key_hash text NOT NULL CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    prefix text NOT NULL,
    name text NULL CHECK (length(name) BETWEEN 1 AND 200),
    merchant_id text NULL REFERENCES ${s}.merchants (id),
    agent_id text NULL REFERENCES ${s}.agents (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz NULL,
    CONSTRAINT api_keys_owner CHECK (
      (role = 'MERCHANT' AND merchant_id IS NOT NULL AND agent_id IS NULL)
      OR (role = 'AGENT' AND agent_id IS NOT NULL AND merchant_id IS NULL)
      OR (role = 'ADMIN' AND merchant_id IS NULL AND agent_id IS NULL)
    )
  )`,
  // The gateway resolves every request's key by its hash: one unique-index probe.
  `CREATE UNIQUE INDEX api_keys_key_hash_key ON ${s}.api_keys (key_hash)`,
  `CREATE INDEX api_keys_merchant_id_idx ON ${s}.api_keys (merchant_id, id) WHERE merchant_id IS NOT NULL`,

  `CREATE TABLE ${s}.payment_connectors (
    merchant_id text PRIMARY KEY REFERENCES ${s}.merchants (id),
    provider text NOT NULL CHECK (provider IN ('TEST', 'STRIPE')),
    status text NOT NULL DEFAULT 'connected',
    secret_key_ciphertext text NULL,
    webhook_secret_ciphertext text NULL,
    connected_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payment_connectors_stripe_key CHECK (provider <> 'STRIPE' OR secret_key_ciphertext IS NOT NULL)
  )`,
];

const down = [
  `DROP TABLE IF EXISTS ${s}.payment_connectors`,
  `DROP TABLE IF EXISTS ${s}.api_keys`,
  `DROP TABLE IF EXISTS ${s}.agents`,
  `DROP TABLE IF EXISTS ${s}.builders`,
  `DROP TABLE IF EXISTS ${s}.offers`,
  `DROP TABLE IF EXISTS ${s}.merchants`,
  ...dropOutboxTableSql(SCHEMA_NAME),
  ...dropIdempotencyTableSql(SCHEMA_NAME),
];

export const MerchantInitial1763700000000 = sqlMigration('MerchantInitial1763700000000', up, down);
