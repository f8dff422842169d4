// A hot statement as a named prepared statement: node-postgres prepares it once per pooled
// connection, and PostgreSQL then reuses its plan (a statement of several CTEs costs more to plan
// than to run). Outside a transaction only (it takes any pooled connection, as an autocommit
// statement); falls back to a plain query when the data source has no node-postgres pool.
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

export async function preparedQuery<T>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
  if (!pool || typeof pool.query !== 'function') return dataSource.query(text, values);
  return (await pool.query({ name, text, values })).rows as T[];
}

/** A statement name for `text` (its prefix and a hash of the text): texts built at run time each get a name of their own. */
export function statementName(prefix: string, text: string): string {
  return `${prefix}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

const names = new Map<string, string>();

/**
 * preparedQuery under a name made from the text (statementName, worked out once per text), when
 * `manager` is its data source's own (autocommit); inside a transaction, the transaction's plain query.
 */
export function hotQuery<T>(manager: EntityManager, prefix: string, text: string, values: unknown[]): Promise<T[]> {
  if (manager.queryRunner) return manager.query(text, values) as Promise<T[]>;
  let name = names.get(text);
  if (!name) {
    name = statementName(prefix, text);
    if (names.size > 1000) names.clear();
    names.set(text, name);
  }
  return preparedQuery<T>(manager.connection, name, text, values);
}
