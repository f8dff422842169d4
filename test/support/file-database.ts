// Integration files' set-up (vitest setupFiles, once per test file): a database of the file's own,
// a copy of the run's migrated template (global-setup.ts), and a queue prefix of its own, both
// read through testEnv(). Integration files run two at a time: one file's outbox relay, renewal
// scan or queue never meets another's rows or jobs. The database is dropped after the file.
import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { migratedDatabase } from './scratch-database.js';

// The run's own values, kept once: a worker that runs several files must not nest prefixes.
const runPrefix = (process.env.TEST_RUN_QUEUE_PREFIX ??= process.env.TEST_QUEUE_PREFIX);
if (!runPrefix) throw new Error('test/support/global-setup.ts did not run');

const db = await migratedDatabase('int');
process.env.TEST_DATABASE_URL = db.url;
process.env.TEST_QUEUE_PREFIX = `${runPrefix}-${randomBytes(3).toString('hex')}`;

afterAll(async () => {
  await db.drop();
}, 60_000);
