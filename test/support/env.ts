// What the global setup made for this run; integration and e2e tests read it from here.
export function testEnv() {
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const queuePrefix = process.env.TEST_QUEUE_PREFIX;
  if (!databaseUrl || !queuePrefix) throw new Error('test/support/global-setup.ts did not run');
  return { databaseUrl, queuePrefix, redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' };
}
