// Risk (issue 19 item 3, seed 003 §10): each merchant's risk rules (one row; the fraud provider's
// webhook secret encrypted), every assessment (a confirmation's, a dry run's, a fraud provider's
// decision; append-only, unique per provider event so a replayed decision writes nothing twice),
// the manual review queue (one pending review per payment intent), and identity verifications
// (KYC; one pending or verified per checkout session). A migration is a snapshot: it names its
// schema itself.
import { sqlMigration } from '@handoff/shared';

const S = 'payment';

export const Risk1795500800000 = sqlMigration(
  'Risk1795500800000',
  [
    `CREATE TABLE "${S}".risk_settings (
      merchant_id text PRIMARY KEY,
      rules jsonb NOT NULL DEFAULT '[]'::jsonb,
      challenge_at integer NULL CHECK (challenge_at BETWEEN 1 AND 100),
      review_at integer NULL CHECK (review_at BETWEEN 1 AND 100),
      block_at integer NULL CHECK (block_at BETWEEN 1 AND 100),
      kyc_required_above_minor bigint NULL CHECK (kyc_required_above_minor >= 0),
      kyc_currency char(3) NULL,
      fraud_webhook_secret text NULL,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kyc_required_above_minor IS NULL) = (kyc_currency IS NULL))
    )`,
    `CREATE TABLE "${S}".risk_assessments (
      id text PRIMARY KEY,
      merchant_id text NOT NULL,
      checkout_session_id text NULL,
      payment_intent_id text NULL,
      source text NOT NULL CHECK (source IN ('CONFIRM', 'DRY_RUN', 'PROVIDER')),
      score integer NOT NULL CHECK (score BETWEEN 0 AND 100),
      action text NOT NULL CHECK (action IN ('ALLOW', 'CHALLENGE', 'REVIEW', 'BLOCK')),
      reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
      rule_ids text[] NOT NULL DEFAULT '{}',
      email text NULL,
      card_fingerprint text NULL,
      ip text NULL,
      agent_id text NULL,
      billing_country char(2) NULL,
      shipping_country char(2) NULL,
      ip_country char(2) NULL,
      card_country char(2) NULL,
      amount_minor bigint NULL,
      currency char(3) NULL,
      -- CONFIRM: whether the PSP declined this attempt (null: not asked, e.g. blocked)
      declined boolean NULL,
      provider_event_id text NULL,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`,
    `CREATE UNIQUE INDEX risk_assessments_provider_event_uq ON "${S}".risk_assessments (merchant_id, provider_event_id) WHERE provider_event_id IS NOT NULL`,
    `CREATE INDEX risk_assessments_intent_idx ON "${S}".risk_assessments (payment_intent_id, created_at) WHERE payment_intent_id IS NOT NULL`,
    `CREATE INDEX risk_assessments_session_idx ON "${S}".risk_assessments (checkout_session_id, created_at) WHERE checkout_session_id IS NOT NULL`,
    // The history velocity and ratio rules count: one index per counted signal.
    ...['email', 'card_fingerprint', 'ip', 'agent_id'].map(
      (c) => `CREATE INDEX risk_assessments_${c}_idx ON "${S}".risk_assessments (merchant_id, ${c}, created_at) WHERE source = 'CONFIRM' AND ${c} IS NOT NULL`,
    ),
    `CREATE TABLE "${S}".manual_reviews (
      id text PRIMARY KEY,
      merchant_id text NOT NULL,
      checkout_session_id text NULL,
      payment_intent_id text NOT NULL,
      assessment_id text NULL REFERENCES "${S}".risk_assessments (id),
      status text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
      reason text NOT NULL,
      assignee text NULL,
      assigned_at timestamptz NULL,
      decided_at timestamptz NULL,
      decided_by_kind text NULL,
      decided_by_id text NULL,
      note text NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE UNIQUE INDEX manual_reviews_pending_uq ON "${S}".manual_reviews (payment_intent_id) WHERE status = 'PENDING'`,
    `CREATE INDEX manual_reviews_merchant_idx ON "${S}".manual_reviews (merchant_id, status, id)`,
    `CREATE INDEX manual_reviews_session_idx ON "${S}".manual_reviews (checkout_session_id, id)`,
    `CREATE TABLE "${S}".kyc_verifications (
      id text PRIMARY KEY,
      merchant_id text NOT NULL,
      checkout_session_id text NOT NULL,
      provider text NOT NULL,
      provider_verification_id text NOT NULL,
      verification_url text NOT NULL,
      status text NOT NULL CHECK (status IN ('PENDING', 'VERIFIED', 'FAILED')),
      callback_event_id text NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz NULL
    )`,
    `CREATE UNIQUE INDEX kyc_verifications_open_uq ON "${S}".kyc_verifications (checkout_session_id) WHERE status IN ('PENDING', 'VERIFIED')`,
  ],
  [
    `DROP TABLE IF EXISTS "${S}".kyc_verifications`,
    `DROP TABLE IF EXISTS "${S}".manual_reviews`,
    `DROP TABLE IF EXISTS "${S}".risk_assessments`,
    `DROP TABLE IF EXISTS "${S}".risk_settings`,
  ],
);
