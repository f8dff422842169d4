// A private PostgreSQL for fault tests: a throwaway cluster (initdb) in a temp dir, on a free
// loopback port, run in the foreground as a child so it can be stopped (fast shutdown, as
// `pg_ctl stop -m fast`) and started again. Never touches the machine's shared cluster.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '@handoff/launcher';
import { ManagedProcess } from './processes.js';

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/handoff */
  url: string;
  port: number;
  process: ManagedProcess;
  /** Fast shutdown: connections are closed, new ones refused until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
}

/** As root, PostgreSQL must run as another user: the `postgres` OS user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'handoff-fault-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  if (user) chownSync(dir, user.uid, user.gid);
  execFileSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C'], {
    stdio: 'pipe',
    timeout: 60_000,
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  const port = await freePort();
  const serverUrl = `postgres://postgres@127.0.0.1:${port}`;
  const proc = new ManagedProcess({
    name: 'postgres',
    command: join(bin, 'postgres'),
    args: ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off', '-c', 'max_connections=300', '-c', 'shared_buffers=128MB'],
    ready: () => accepts(`${serverUrl}/postgres`),
    readyTimeoutMs: 30_000,
    spawnOptions: user ? { uid: user.uid, gid: user.gid } : {},
  });
  await proc.start();
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE handoff');
  await admin.end();
  const url = `${serverUrl}/handoff`;

  return {
    url,
    port,
    process: proc,
    stop: () => proc.stop('SIGINT', 20_000),
    // Right after a stop the port can still be held for a moment: retry the start (bounded).
    start: () => proc.startWithRetries(60_000),
    query: async <T>(sql: string, params: unknown[] = []) => {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      await c.connect();
      try {
        return (await c.query(sql, params)).rows as T[];
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    destroy: async () => {
      await proc.stop('SIGINT', 10_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
