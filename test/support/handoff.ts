// Starts all of Handoff for an end-to-end test file, on a database of its own (a copy of the
// run's migrated template, dropped at stop; or the one the file passes) and a queue prefix of its
// own, with the gateway and subgraphs on free ports. End-to-end files run two at a time: no file
// sees another's rows (an outbox relay claims every due row of its database; runSettlement
// settles every merchant's). Its sandbox PSP gets a
// database of its own (dropped at stop): an external system per Handoff, whose outbox no other
// file's sandbox relays (a delivery claimed by another file's sandbox would fail, or be listed,
// in that sandbox's queues instead of this one's).
import { randomBytes } from 'node:crypto';
import { startHandoff, type RunningHandoff, type StartOptions } from '@handoff/launcher';
import { testEnv } from './env.js';
import { migratedDatabase, scratchDatabase } from './scratch-database.js';

export async function startTestHandoff(overrides: Partial<StartOptions> = {}): Promise<RunningHandoff> {
  const env = testEnv();
  const ownDb = overrides.databaseUrl ? undefined : await migratedDatabase('e2e');
  const sandboxDb = overrides.sandboxDatabaseUrl ? undefined : await scratchDatabase('sbx').catch(async (err: unknown) => {
    await ownDb?.drop();
    throw err;
  });
  const drop = async () => {
    await sandboxDb?.drop();
    await ownDb?.drop();
  };
  try {
    const handoff = await startHandoff({
      databaseUrl: ownDb?.url ?? env.databaseUrl,
      redisUrl: env.redisUrl,
      queuePrefix: `${env.queuePrefix}-${randomBytes(3).toString('hex')}`,
      nodeEnv: 'test',
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      sandboxDatabaseUrl: sandboxDb?.url,
      ...overrides,
      // Two e2e files run at once on a 2-core machine that may be busy: a subgraph call may wait
      // longer than production's 10 s deadline without anything being wrong. A file that tests
      // the deadline sets its own.
      extraEnv: { SUBGRAPH_TIMEOUT_MS: '30000', ...overrides.extraEnv },
    });
    const stop = handoff.stop;
    return Object.assign(handoff, {
      stop: async () => {
        await stop();
        await drop();
      },
    });
  } catch (err) {
    await drop();
    throw err;
  }
}
