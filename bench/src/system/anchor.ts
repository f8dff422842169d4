// The physical anchor: plain single-row INSERT transactions (autocommit, so each is its own
// durable commit with synchronous_commit as the server has it) from Node with `pg`, at a given
// concurrency, into a scratch table of the bench's own database. What this PostgreSQL allows;
// every Handoff figure is also shown as a ratio to it.
import pg from 'pg';
import { closedLoop, type LoopResult } from './measure.js';

export async function measureInsertAnchor(databaseUrl: string, concurrency: number, timing: { warmupMs: number; durationMs: number }): Promise<LoopResult> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: concurrency, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  try {
    await pool.query(`CREATE TABLE IF NOT EXISTS bench_anchor (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), payload text NOT NULL)`);
    // Open every connection before the clock starts.
    const clients = await Promise.all(Array.from({ length: concurrency }, () => pool.connect()));
    clients.forEach((c) => c.release());
    const payload = 'x'.repeat(64);
    return await closedLoop(concurrency, timing, async () => {
      await pool.query({ name: 'anchor-insert', text: `INSERT INTO bench_anchor (payload) VALUES ($1)`, values: [payload] });
    });
  } finally {
    await pool.end().catch(() => undefined);
  }
}
