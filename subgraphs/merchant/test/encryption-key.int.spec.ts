// A merchant subgraph whose HANDOFF_ENCRYPTION_KEY does not open the secrets its database already
// stores refuses to serve, with a message that says so (as after `.data/` was deleted while the
// local `handoff` database stayed). On a database of its own: the test run's shared database
// holds connectors of other stacks, each with its own key.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testEnv } from '../../../test/support/env.js';
import { scratchDatabase } from '../../../test/support/scratch-database.js';
import { createApp, loadConfig } from '../src/index.js';
import { PaymentProvider } from '../src/payment-connector/payment-provider.js';
import { createServices } from '../src/services.js';
import { admin, gbpCpaMerchant } from './support.js';

let db: Awaited<ReturnType<typeof scratchDatabase>>;
beforeAll(async () => {
  db = await scratchDatabase('keycheck');
});
afterAll(() => db?.drop());

const appWithKey = (key: string) => {
  const { queuePrefix, redisUrl } = testEnv();
  return createApp(
    loadConfig({
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: queuePrefix,
      NODE_ENV: 'development',
      HANDOFF_INTERNAL_SECRET: randomBytes(32).toString('base64url'),
      HANDOFF_ENCRYPTION_KEY: key,
      LOG_LEVEL: 'silent',
    }),
  );
};

it('serves with the key its secrets were stored with, and refuses to with another', async () => {
  const key = randomBytes(32).toString('base64');
  const first = await appWithKey(key);
  await first.migrate();
  const server = await first.listen(0, '127.0.0.1'); // nothing stored yet
  await server.close();
  const services = createServices({ dataSource: first.dataSource, encryptionKey: Buffer.from(key, 'base64') });
  const m = await services.merchants.create(admin, gbpCpaMerchant(), undefined);
  await services.connectors.connect(admin, m.id, { provider: PaymentProvider.TEST });
  await first.close();

  const same = await appWithKey(key);
  await (await same.listen(0, '127.0.0.1')).close();
  await same.close();

  const other = await appWithKey(randomBytes(32).toString('base64'));
  await expect(other.listen(0, '127.0.0.1')).rejects.toThrow(
    `HANDOFF_ENCRYPTION_KEY does not open the payment connector secrets stored in this database (merchant ${m.id})`,
  );
  await other.close();
});
