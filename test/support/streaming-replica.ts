// A real PostgreSQL primary and a streaming replica of it, for the read-replica tests: initdb
// into a temporary directory, the primary started on a free port (wal_level=replica),
// pg_basebackup -R of it, the standby started on another port. The machine's own PostgreSQL
// (5432) is left alone: it cannot be reconfigured here. Every step is bounded by a timeout, and
// stop() (also run on process exit) stops both servers and removes the directory.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface StreamingReplica {
  primaryUrl: string;
  replicaUrl: string;
  /** A statement on the primary or the replica (as the superuser `postgres`). */
  primary<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  replica<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Stops the replica's server (pg_ctl stop -m fast); the primary keeps running. */
  stopReplica(): Promise<void>;
  /** Stops both servers and removes the directory (idempotent). */
  stop(): Promise<void>;
}

const STEP_TIMEOUT_MS = 90_000;

/** The newest installed PostgreSQL's bin directory (Debian layout), or an error naming what is missing. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_basebackup'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error(`no PostgreSQL server binaries (initdb, pg_basebackup) under ${root}`);
  return path.join(root, versions[0], 'bin');
}

/** A port that was free a moment ago, below the ephemeral range. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found for a test PostgreSQL');
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

async function query<R>(url: string, sql: string, params?: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, statement_timeout: 30_000 });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function startStreamingReplica(): Promise<StreamingReplica> {
  const bin = binDir();
  const dir = mkdtempSync(path.join(tmpdir(), 'handoff-replica-'));
  // initdb and postgres refuse to run as root: as root, they run as the `postgres` user, in a directory it owns.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [file, ...rest] = asRoot ? ['su', 'postgres', '-s', '/bin/sh', '-c', args.map(quote).join(' ')] : args;
      execFile(file!, rest, { timeout: STEP_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, _stdout, stderr) => {
        if (err) reject(new Error(`${path.basename(args[0]!)} failed: ${err.message}\n${stderr}${logs()}`));
        else resolve();
      });
    });
  const logs = () =>
    ['primary.log', 'replica.log']
      .map((f) => path.join(dir, f))
      .filter((f) => existsSync(f))
      .map((f) => `\n--- ${path.basename(f)}\n${readFileSync(f, 'utf8').slice(-2000)}`)
      .join('');
  const pgCtl = (data: string, ...args: string[]) => run([path.join(bin, 'pg_ctl'), '-D', path.join(dir, data), ...args]);
  // Small and quick: this is a test, on a busy 2-core machine.
  const serverOptions = (port: number) =>
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=40 -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on`;
  const started: string[] = [];
  let stopped = false;
  const stopSync = () => {
    // On process exit (a crashed or killed test run): immediate stop, synchronously.
    for (const data of started) {
      try {
        const cmd = [path.join(bin, 'pg_ctl'), '-D', path.join(dir, data), '-m', 'immediate', 'stop'];
        if (asRoot) execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', cmd.map(quote).join(' ')], { stdio: 'ignore', timeout: 20_000 });
        else execFileSync(cmd[0]!, cmd.slice(1), { stdio: 'ignore', timeout: 20_000 });
      } catch {
        /* already stopped */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => {
    if (!stopped) stopSync();
  });
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const data of [...started].reverse()) await pgCtl(data, '-m', 'immediate', '-t', '30', 'stop').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const primaryPort = await freePort();
    await run([path.join(bin, 'initdb'), '-D', path.join(dir, 'primary'), '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions']);
    started.push('primary');
    await pgCtl('primary', '-o', serverOptions(primaryPort), '-l', path.join(dir, 'primary.log'), '-w', '-t', '60', 'start');
    await run([
      path.join(bin, 'pg_basebackup'), '-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres',
      '-D', path.join(dir, 'replica'), '-R', '-X', 'stream', '-c', 'fast', '--no-sync',
    ]);
    const replicaPort = await freePort();
    started.push('replica');
    await pgCtl('replica', '-o', serverOptions(replicaPort), '-l', path.join(dir, 'replica.log'), '-w', '-t', '60', 'start');
    const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/postgres`;
    const replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/postgres`;
    // Streaming, not just started: the primary sees its WAL sender.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const rows = await query<{ state: string }>(primaryUrl, `SELECT state FROM pg_stat_replication`);
      if (rows.some((r) => r.state === 'streaming')) break;
      if (Date.now() > deadline) throw new Error(`the replica did not start streaming${logs()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      primaryUrl,
      replicaUrl,
      primary: (sql, params) => query(primaryUrl, sql, params),
      replica: (sql, params) => query(replicaUrl, sql, params),
      stopReplica: () => pgCtl('replica', '-m', 'fast', '-t', '30', 'stop'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
