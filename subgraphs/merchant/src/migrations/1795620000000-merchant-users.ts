// The merchant portal's accounts (issue 23, docs/portal-auth.md): users (email unique per merchant
// ignoring case, argon2id hash, role), one-time invitations and portal sessions (only SHA-256
// hashes of their tokens), and failed logins (the throttle counts them per email and address).
// A migration is a snapshot: it names its schema itself.
import { sqlMigration } from '@handoff/shared';

const SCHEMA = 'merchant';
const ROLE = `CHECK (role IN ('OWNER', 'DEVELOPER', 'ANALYST'))`;

export const MerchantUsers1795620000000 = sqlMigration(
  'MerchantUsers1795620000000',
  [
    `CREATE TABLE "${SCHEMA}".merchant_users (
       id text PRIMARY KEY,
       merchant_id text NOT NULL REFERENCES "${SCHEMA}".merchants(id),
       email text NOT NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
       name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
       role text NOT NULL ${ROLE},
       password_hash text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       removed_at timestamptz NULL
     )`,
    `CREATE UNIQUE INDEX merchant_users_email_idx ON "${SCHEMA}".merchant_users (merchant_id, email) WHERE removed_at IS NULL`,
    `CREATE INDEX merchant_users_email_lookup_idx ON "${SCHEMA}".merchant_users (email) WHERE removed_at IS NULL`,
    `CREATE TABLE "${SCHEMA}".merchant_user_invitations (
       id text PRIMARY KEY,
       merchant_id text NOT NULL REFERENCES "${SCHEMA}".merchants(id),
       email text NOT NULL CHECK (email = lower(email)),
       role text NOT NULL ${ROLE},
       token_hash text NOT NULL UNIQUE,
       invited_by text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       expires_at timestamptz NOT NULL,
       accepted_at timestamptz NULL,
       accepted_user_id text NULL REFERENCES "${SCHEMA}".merchant_users(id)
     )`,
    `CREATE TABLE "${SCHEMA}".portal_sessions (
       id text PRIMARY KEY,
       user_id text NOT NULL REFERENCES "${SCHEMA}".merchant_users(id),
       merchant_id text NOT NULL REFERENCES "${SCHEMA}".merchants(id),
       token_hash text NOT NULL UNIQUE,
       user_agent text NULL,
       ip text NULL,
       created_at timestamptz NOT NULL,
       last_seen_at timestamptz NOT NULL,
       expires_at timestamptz NOT NULL,
       revoked_at timestamptz NULL
     )`,
    `CREATE INDEX portal_sessions_user_idx ON "${SCHEMA}".portal_sessions (user_id) WHERE revoked_at IS NULL`,
    `CREATE TABLE "${SCHEMA}".portal_login_failures (
       id bigserial PRIMARY KEY,
       throttle_key text NOT NULL,
       failed_at timestamptz NOT NULL DEFAULT now()
     )`,
    `CREATE INDEX portal_login_failures_key_idx ON "${SCHEMA}".portal_login_failures (throttle_key, failed_at)`,
  ],
  [
    `DROP TABLE IF EXISTS "${SCHEMA}".portal_login_failures`,
    `DROP TABLE IF EXISTS "${SCHEMA}".portal_sessions`,
    `DROP TABLE IF EXISTS "${SCHEMA}".merchant_user_invitations`,
    `DROP TABLE IF EXISTS "${SCHEMA}".merchant_users`,
  ],
);
