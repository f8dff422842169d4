// `npm start` (launcher/dist/all-in-one.js, built by `npm test` before vitest runs) next to
// something already listening: a taken port is one sentence naming the port and the variable
// to set, exit code 1, at once (before PostgreSQL, Redis or migrations); and the subgraphs
// listen where MERCHANT_PORT & co. say.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../src/start.js';
import { testEnv } from '../../test/support/env.js';
import { scratchDatabase } from '../../test/support/scratch-database.js';

const CLI = fileURLToPath(new URL('../dist/all-in-one.js', import.meta.url));
// Nothing listens there: a launcher that went past its port check would fail on it instead.
const NO_DATABASE = 'postgres://postgres@127.0.0.1:9/none';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'handoff-aio-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function occupy(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

interface Launched {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the all-in-one; `until` (on stdout) → SIGINT, then waits for the exit. */
function launch(env: Record<string, string>, until?: (stdout: string) => boolean, timeoutMs = 90_000): Promise<Launched> {
  expect(existsSync(CLI), `${CLI} is missing: run \`npm run build\` first`).toBe(true);
  const started = Date.now();
  const child = spawn(process.execPath, [CLI], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', DEMO_DATA: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (until && !signalled && until(stdout)) {
      signalled = true;
      child.kill('SIGINT');
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, stdout: signal ? `${stdout}\n(killed by ${signal})` : stdout, stderr, ms: Date.now() - started });
    }),
  );
}

describe('npm start next to a taken port', () => {
  it('PORT taken: one sentence naming the port and PORT, exit code 1, at once', { timeout: 180_000 }, async () => {
    const port = await occupy();
    const r = await launch({ PORT: String(port), DATABASE_URL: NO_DATABASE, HANDOFF_DATA_DIR: dataDir() });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `Port ${port} on 127.0.0.1 is already in use (another Handoff?): set PORT to a free port, e.g. PORT=${port + 100} npm start.`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at |EADDRINUSE/);
    // "At once": refused before PostgreSQL, Redis or migrations were touched (nothing about them
    // printed). Not a wall-clock bound: the launcher's own start took over 15 s on a loaded 2-core machine.
    expect(r.stdout).not.toMatch(/PostgreSQL|Redis|migrat/i);
  });

  it('MERCHANT_PORT taken: the sentence names MERCHANT_PORT', { timeout: 180_000 }, async () => {
    const port = await occupy();
    const r = await launch({ PORT: String(await freePort()), MERCHANT_PORT: String(port), DATABASE_URL: NO_DATABASE, HANDOFF_DATA_DIR: dataDir() });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(new RegExp(`^Port ${port} on 127\\.0\\.0\\.1 is already in use \\(another Handoff\\?\\): set MERCHANT_PORT to a free port, .*or leave MERCHANT_PORT unset for any free one\\.$`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('npm start ports', () => {
  it('listens where PORT, MERCHANT_PORT, CHECKOUT_SESSION_PORT, PAYMENT_INTENT_PORT and CONVERSION_LEDGER_PORT say', { timeout: 120_000 }, async () => {
    const db = await scratchDatabase('aio_ports');
    cleanups.push(() => db.drop());
    const ports = {
      PORT: await freePort(),
      MERCHANT_PORT: await freePort(),
      CHECKOUT_SESSION_PORT: await freePort(),
      PAYMENT_INTENT_PORT: await freePort(),
      CONVERSION_LEDGER_PORT: await freePort(),
    };
    const seen: Record<string, number> = {};
    const r = await launch(
      {
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        DATABASE_URL: db.url,
        REDIS_URL: testEnv().redisUrl,
        QUEUE_PREFIX: `${testEnv().queuePrefix}-aio`,
        HANDOFF_DATA_DIR: dataDir(),
      },
      (stdout) => {
        if (!stdout.includes('Ctrl-C stops everything.')) return false;
        for (const m of stdout.matchAll(/^\s+(merchant|checkout-session|payment-intent|conversion-ledger)\s+http:\/\/127\.0\.0\.1:(\d+)\/graphql/gm)) {
          seen[m[1]!] = Number(m[2]);
        }
        const gql = /GraphQL\s+http:\/\/localhost:(\d+)\/graphql/.exec(stdout);
        if (gql) seen.gateway = Number(gql[1]);
        return true;
      },
    );
    expect(r.stderr).toBe(''); // a clean start and a clean Ctrl-C
    expect(seen).toEqual({
      gateway: ports.PORT,
      merchant: ports.MERCHANT_PORT,
      'checkout-session': ports.CHECKOUT_SESSION_PORT,
      'payment-intent': ports.PAYMENT_INTENT_PORT,
      'conversion-ledger': ports.CONVERSION_LEDGER_PORT,
    });
    expect(r.code, r.stdout.slice(-2000)).toBe(0);
  });
});
