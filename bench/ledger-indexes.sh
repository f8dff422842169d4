#!/usr/bin/env bash
# BI indexes of the conversion ledger at a million conversions (issue 5), outside `npm test`:
# makes a throwaway database, runs the ledger's real migrations, fills 1,000,000 conversions and
# their conversion.updated outbox rows with set-based SQL, then EXPLAIN ANALYZEs the BI reads as
# ReportingService and ConversionEventsService send them. Drops the database at the end.
#   PG_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres bench/ledger-indexes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DB="handoff_bench_ledger_$$"
URL="${ADMIN_URL%/*}/$DB"
psql -qAt "$ADMIN_URL" -c "CREATE DATABASE $DB"
trap 'psql -qAt "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT
npx tsc -b subgraphs/conversion-ledger >/dev/null
DATABASE_URL="$URL" node --input-type=module -e "
import { createApp, loadConfig } from './subgraphs/conversion-ledger/dist/index.js';
const app = await createApp(loadConfig({ DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: 'redis://127.0.0.1:6379', NODE_ENV: 'test',
  LOG_LEVEL: 'silent', HANDOFF_INTERNAL_SECRET: 'x'.repeat(64), AAP_PUBLIC_KEYS: '{}' }));
await app.migrate(); await app.close();"
psql -q "$URL" <<'SQL'
\timing on
-- 1,000,000 conversions over 200 merchants, 2,000 agents, 4 statuses, 2 paths, one year.
INSERT INTO ledger.conversions (id, merchant_id, agent_id, status, conversion_path, verification, currency, transaction_value_minor,
  validation_period_days, validates_at, commission_type, cpa_minor, commission_minor, network_fee_minor, builder_payout_minor, commission_posted, created_at)
SELECT 'c' || lpad(g::text, 8, '0'), 'mer_' || (g % 200), 'agt_' || (g % 2000),
       (ARRAY['PENDING','VALIDATED','PAYABLE','PAID'])[1 + g % 4], (ARRAY['VERIFIED_PAYMENT','MERCHANT_REPORTED'])[1 + g % 2],
       'verified', 'GBP', 1000 + g % 5000, 30, now(), 'CPA', 800, 800, 160, 640, true,
       timestamptz '2025-01-01' + (g * interval '31.5 seconds')
  FROM generate_series(1, 1000000) g;
INSERT INTO ledger.outbox (topic, aggregate_id, payload, published_at, delivered_at)
SELECT 'conversion.updated', 'c' || lpad(g::text, 8, '0'),
       jsonb_build_object('cursor', g::text, 'conversion', jsonb_build_object('id', 'c' || g, 'merchantId', 'mer_' || (g % 200))), now(), now()
  FROM generate_series(1, 1000000) g;
ANALYZE ledger.conversions;
ANALYZE ledger.outbox;
\echo '== conversions: merchant filter, first page'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT c.id FROM ledger.conversions c WHERE c.merchant_id = 'mer_7' ORDER BY c.created_at, c.id LIMIT 51;
\echo '== conversions: merchant filter, cursor page'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT c.id FROM ledger.conversions c WHERE c.merchant_id = 'mer_7'
  AND (c.created_at, c.id) > ('2025-06-01T00:00:00Z'::timestamptz, 'c') ORDER BY c.created_at, c.id LIMIT 51;
\echo '== conversions: merchant totalCount'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT count(*) FROM ledger.conversions c WHERE c.merchant_id = 'mer_7';
\echo '== conversions: agent + date range, first page'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT c.id FROM ledger.conversions c WHERE c.agent_id = 'agt_42'
  AND c.created_at >= '2025-03-01' AND c.created_at < '2025-09-01' ORDER BY c.created_at, c.id LIMIT 51;
\echo '== conversions: admin, status filter, cursor page'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT c.id FROM ledger.conversions c WHERE c.status = 'PAID'
  AND (c.created_at, c.id) > ('2025-06-01T00:00:00Z'::timestamptz, 'c') ORDER BY c.created_at, c.id LIMIT 51;
\echo '== commissionSummary: merchant, group by STATUS'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT c.status, c.currency, count(*), sum(c.commission_minor) FROM ledger.conversions c
  WHERE c.merchant_id = 'mer_7' GROUP BY 1, 2 ORDER BY 1, 2;
\echo '== commissionSummary: admin, one month, group by DAY'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), c.currency, count(*), sum(c.commission_minor)
  FROM ledger.conversions c WHERE c.created_at >= '2025-03-01' AND c.created_at < '2025-04-01' GROUP BY 1, 2 ORDER BY 1, 2;
\echo '== conversion.updated replay after a cursor'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT payload FROM ledger.outbox WHERE topic = 'conversion.updated'
  AND (payload->>'cursor')::bigint > 999000 ORDER BY (payload->>'cursor')::bigint LIMIT 100;
SQL
