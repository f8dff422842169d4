// Starts all of Handoff for an end-to-end test file, on this run's database and a queue
// prefix of its own, with the gateway and subgraphs on free ports. Its sandbox PSP gets a
// database of its own (dropped at stop): an external system per Handoff, whose outbox no other
// file's sandbox relays (a delivery claimed by another file's sandbox would fail, or be listed,
// in that sandbox's queues instead of this one's).
import { randomBytes } from 'node:crypto';
import { startHandoff, type RunningHandoff, type StartOptions } from '@handoff/launcher';
import { testEnv } from './env.js';
import { scratchDatabase } from './scratch-database.js';

export async function startTestHandoff(overrides: Partial<StartOptions> = {}): Promise<RunningHandoff> {
  const env = testEnv();
  const sandboxDb = overrides.sandboxDatabaseUrl ? undefined : await scratchDatabase('sbx');
  try {
    const handoff = await startHandoff({
      databaseUrl: env.databaseUrl,
      redisUrl: env.redisUrl,
      queuePrefix: `${env.queuePrefix}-${randomBytes(3).toString('hex')}`,
      nodeEnv: 'test',
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      sandboxDatabaseUrl: sandboxDb?.url,
      ...overrides,
    });
    const stop = handoff.stop;
    return Object.assign(handoff, {
      stop: async () => {
        await stop();
        await sandboxDb?.drop();
      },
    });
  } catch (err) {
    await sandboxDb?.drop();
    throw err;
  }
}
