// Merchant accounts at the sandbox. The operator (Handoff's platform side, with the sandbox's
// admin key) sets an account up with its webhook endpoint and signing secret, as a platform
// registers a connected account's webhook endpoint at Stripe; the answer is the account's secret
// key, which authenticates its API calls. The key is derived from the admin key and the signing
// secret: setting an account up again with the same secret answers the same key (so replicas of
// the caller agree), and a new secret (a reconnected merchant) rotates it.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { invalidParameter } from '../errors.js';
import { AccountEntity } from './account.entity.js';

export interface AccountSetup {
  webhookUrl: string;
  webhookSecret: string;
  enabledEvents: string[];
}

const MERCHANT_ID = /^[A-Za-z0-9_-]{1,80}$/;
const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export class Accounts {
  constructor(
    private readonly dataSource: DataSource,
    private readonly adminKey: string,
  ) {}

  /** Creates or updates the merchant's account; its secret key. */
  async setUp(merchantId: string, setup: AccountSetup): Promise<string> {
    if (!MERCHANT_ID.test(merchantId)) throw invalidParameter('id', 'must be 1-80 letters, digits, _ or -.');
    let url: URL;
    try {
      url = new URL(setup.webhookUrl);
    } catch {
      throw invalidParameter('webhook_url', 'must be an absolute http(s) URL.');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidParameter('webhook_url', 'must be an absolute http(s) URL.');
    if (typeof setup.webhookSecret !== 'string' || setup.webhookSecret.length < 16 || setup.webhookSecret.length > 512) {
      throw invalidParameter('webhook_secret', 'must be 16 to 512 characters.');
    }
    if (!Array.isArray(setup.enabledEvents) || setup.enabledEvents.length > 200 || !setup.enabledEvents.every((e) => typeof e === 'string' && /^[a-z_.*]{1,100}$/.test(e))) {
      throw invalidParameter('enabled_events', 'must be a list of event types.');
    }
    const secretKey = this.secretKeyFor(merchantId, setup.webhookSecret);
    const upsert = () =>
      this.dataSource.query(
        `INSERT INTO sandbox.accounts (merchant_id, secret_key_hash, webhook_url, webhook_secret, enabled_events)
         VALUES ($1, $2, $3, $4, $5::text[])
         ON CONFLICT (merchant_id) DO UPDATE SET secret_key_hash = EXCLUDED.secret_key_hash, webhook_url = EXCLUDED.webhook_url,
           webhook_secret = EXCLUDED.webhook_secret, enabled_events = EXCLUDED.enabled_events, updated_at = now()`,
        [merchantId, hashKey(secretKey), url.href, setup.webhookSecret, setup.enabledEvents],
      );
    // Two set-ups of one account at once (payment-intent's first charge for a merchant and its
    // credentials refresh) insert the same row: ON CONFLICT arbitrates merchant_id only, so the
    // second can meet the first's in-progress secret_key_hash entry and fail with a unique
    // violation on that index (a 500 seen in CI), or two of them wait on each other's entries in
    // the two indexes and PostgreSQL aborts one as a deadlock (40P01, seen in a CI rehearsal). Once
    // the other has committed, the same upsert finds the row and updates it.
    for (let attempt = 1; ; attempt++) {
      try {
        await upsert();
        return secretKey;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if ((code !== '23505' && code !== '40P01') || attempt >= 5) throw err;
      }
    }
  }

  /** The account a secret key belongs to, or null. */
  async authenticate(secretKey: string): Promise<AccountEntity | null> {
    if (!/^sk_test_sbx_[A-Za-z0-9_-]{20,100}$/.test(secretKey)) return null;
    return this.dataSource.getRepository(AccountEntity).findOneBy({ secretKeyHash: hashKey(secretKey) });
  }

  find(merchantId: string): Promise<AccountEntity | null> {
    return this.dataSource.getRepository(AccountEntity).findOneBy({ merchantId });
  }

  /** Whether `key` is the operator's (constant time). */
  isAdminKey(key: string): boolean {
    const a = createHash('sha256').update(key).digest();
    const b = createHash('sha256').update(this.adminKey).digest();
    return timingSafeEqual(a, b);
  }

  private secretKeyFor(merchantId: string, webhookSecret: string): string {
    return `sk_test_sbx_${createHmac('sha256', this.adminKey).update(`${merchantId}\0${webhookSecret}`).digest('base64url')}`;
  }
}
