// A database of the sweep's own (other e2e files write to the run's shared one in parallel, which
// would blur "nothing written"), and exact row counts of every table of the four subgraph schemas.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testEnv } from '../../support/env.js';

const SCHEMAS = ['merchant', 'checkout', 'payment', 'ledger'];

export async function privateDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new URL(testEnv().databaseUrl);
  const name = `${admin.pathname.slice(1)}_sweep_${randomBytes(3).toString('hex')}`;
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export type RowCounts = Record<string, number>;

export class RowCounter {
  private sql?: string;
  private constructor(private readonly client: pg.Client) {}

  static async open(databaseUrl: string): Promise<RowCounter> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    return new RowCounter(client);
  }

  /** Exact counts, one query over every table of the four schemas. */
  async snapshot(): Promise<RowCounts> {
    if (!this.sql) {
      const { rows } = await this.client.query<{ s: string; t: string }>(
        `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
          WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
        [SCHEMAS],
      );
      if (!rows.length) throw new Error('no tables in the subgraph schemas: migrations did not run?');
      this.sql = rows.map((r) => `SELECT '${r.s}.${r.t}' AS t, count(*)::int AS n FROM "${r.s}"."${r.t}"`).join(' UNION ALL ');
    }
    const { rows } = await this.client.query<{ t: string; n: number }>(this.sql);
    return Object.fromEntries(rows.map((r) => [r.t, r.n]));
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/** Tables whose count changed, as `table: before → after`. */
export function diffCounts(before: RowCounts, after: RowCounts): string[] {
  const tables = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...tables].filter((t) => before[t] !== after[t]).map((t) => `${t}: ${before[t]} → ${after[t]}`);
}
