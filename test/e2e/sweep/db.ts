// A database of the sweep's own (so nothing else's writes blur "nothing written"), and exact row counts of every table of the four subgraph schemas.
import pg from 'pg';
import { migratedDatabase } from '../../support/scratch-database.js';

const SCHEMAS = ['merchant', 'checkout', 'payment', 'ledger'];

/** A database of the sweep's own, migrated (a copy of the run's template when there is one). */
export const privateDatabase = (): Promise<{ url: string; drop(): Promise<void> }> => migratedDatabase('sweep');

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
