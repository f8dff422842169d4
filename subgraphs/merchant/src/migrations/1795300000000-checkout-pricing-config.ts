// What a merchant configures for checkout pricing (issue 18): shipping (zones, rates, pickup
// locations) and tax (rates by country/region and category) as one document per merchant each,
// replaced whole by setShippingConfig / setTaxConfig; promotions, one row each, with codes unique
// per merchant case-insensitively; and the provider of each concern (built-in or the merchant's
// HTTP endpoint, its signing secret encrypted as the PSP connector secrets are). Offers gain a
// tax category. CHECK constraints repeat the services' validation.
import { sqlMigration } from '@handoff/shared';
import { SCHEMA_NAME } from '../constants.js';

const s = `"${SCHEMA_NAME}"`;

const up = [
  `ALTER TABLE ${s}.offers ADD COLUMN tax_category text NULL CHECK (tax_category ~ '^[a-z0-9][a-z0-9_-]{0,39}$')`,

  `CREATE TABLE ${s}.shipping_configs (
    merchant_id text PRIMARY KEY REFERENCES ${s}.merchants (id),
    zones jsonb NOT NULL CHECK (jsonb_typeof(zones) = 'array'),
    pickup_locations jsonb NOT NULL CHECK (jsonb_typeof(pickup_locations) = 'array'),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  `CREATE TABLE ${s}.tax_configs (
    merchant_id text PRIMARY KEY REFERENCES ${s}.merchants (id),
    prices_include_tax boolean NOT NULL,
    default_category text NOT NULL CHECK (default_category ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    rates jsonb NOT NULL CHECK (jsonb_typeof(rates) = 'array'),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,

  `CREATE TABLE ${s}.promotions (
    id text PRIMARY KEY,
    merchant_id text NOT NULL REFERENCES ${s}.merchants (id),
    code text NULL CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{2,39}$'),
    automatic boolean NOT NULL,
    name text NULL CHECK (length(name) BETWEEN 1 AND 200),
    percent_off_bps int NULL CHECK (percent_off_bps BETWEEN 1 AND 10000),
    amount_off_minor bigint NULL CHECK (amount_off_minor > 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    scope text NOT NULL CHECK (scope IN ('ORDER', 'OFFERS')),
    offer_ids text[] NOT NULL DEFAULT '{}',
    min_subtotal_minor bigint NULL CHECK (min_subtotal_minor >= 0),
    starts_at timestamptz NULL,
    ends_at timestamptz NULL,
    usage_limit int NULL CHECK (usage_limit > 0),
    per_customer_limit int NULL CHECK (per_customer_limit > 0),
    stacking text NOT NULL CHECK (stacking IN ('STACKABLE', 'EXCLUSIVE')),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT promotions_code_or_automatic CHECK ((code IS NULL) = automatic),
    CONSTRAINT promotions_one_discount CHECK ((percent_off_bps IS NULL) <> (amount_off_minor IS NULL)),
    CONSTRAINT promotions_offers_scope CHECK ((scope = 'OFFERS') = (cardinality(offer_ids) > 0)),
    CONSTRAINT promotions_window CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)
  )`,
  // One code per merchant whatever its case: createPromotion inserts ON CONFLICT on this index.
  `CREATE UNIQUE INDEX promotions_merchant_code_key ON ${s}.promotions (merchant_id, upper(code)) WHERE code IS NOT NULL`,
  // A merchant's promotions, paged by id.
  `CREATE INDEX promotions_merchant_id_idx ON ${s}.promotions (merchant_id, id)`,

  `CREATE TABLE ${s}.pricing_providers (
    merchant_id text NOT NULL REFERENCES ${s}.merchants (id),
    concern text NOT NULL CHECK (concern IN ('TAX', 'SHIPPING', 'PROMOTIONS')),
    kind text NOT NULL CHECK (kind IN ('BUILT_IN', 'HTTP')),
    endpoint_url text NULL CHECK (length(endpoint_url) <= 2048),
    signing_secret_ciphertext text NULL,
    timeout_ms int NULL CHECK (timeout_ms BETWEEN 100 AND 30000),
    fallback text NULL CHECK (fallback IN ('BUILT_IN', 'FAIL')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (merchant_id, concern),
    CONSTRAINT pricing_providers_http_fields CHECK (
      (kind = 'HTTP') = (endpoint_url IS NOT NULL)
      AND (kind = 'HTTP') = (signing_secret_ciphertext IS NOT NULL)
      AND (kind = 'HTTP') = (timeout_ms IS NOT NULL)
      AND (kind = 'HTTP') = (fallback IS NOT NULL)
    )
  )`,
];

const down = [
  `DROP TABLE IF EXISTS ${s}.pricing_providers`,
  `DROP TABLE IF EXISTS ${s}.promotions`,
  `DROP TABLE IF EXISTS ${s}.tax_configs`,
  `DROP TABLE IF EXISTS ${s}.shipping_configs`,
  `ALTER TABLE ${s}.offers DROP COLUMN IF EXISTS tax_category`,
];

export const MerchantCheckoutPricingConfig1795300000000 = sqlMigration('MerchantCheckoutPricingConfig1795300000000', up, down);
