// Starts all of Handoff for an end-to-end test file, on this run's database and a queue
// prefix of its own, with the gateway and subgraphs on free ports.
import { randomBytes } from 'node:crypto';
import { startHandoff, type RunningHandoff, type StartOptions } from '@handoff/launcher';
import { testEnv } from './env.js';

export async function startTestHandoff(overrides: Partial<StartOptions> = {}): Promise<RunningHandoff> {
  const env = testEnv();
  return startHandoff({
    databaseUrl: env.databaseUrl,
    redisUrl: env.redisUrl,
    queuePrefix: `${env.queuePrefix}-${randomBytes(3).toString('hex')}`,
    nodeEnv: 'test',
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  });
}
