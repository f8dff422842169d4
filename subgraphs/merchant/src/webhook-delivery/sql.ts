// Plain SQL for the webhook tables: qualified names, and UPDATE … RETURNING read as rows
// (TypeORM answers a bare UPDATE's RETURNING as [rows, count]; inside WITH it is a SELECT).
import type { DataSource, EntityManager } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';

export const table = (name: string) => `"${SCHEMA_NAME}".${name}`;

export function updateReturning<T>(manager: Pick<EntityManager, 'query'>, sql: string, params: unknown[]): Promise<T[]> {
  return manager.query(`WITH changed AS (${sql}) SELECT * FROM changed`, params);
}

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * A hot statement as a named prepared statement (node-postgres prepares it once per connection,
 * and PostgreSQL then reuses its plan): the delivery path's CTEs cost more to plan than to run.
 * Outside a transaction only (it takes any pooled connection); falls back to a plain query when
 * the data source has no node-postgres pool.
 */
export async function preparedQuery<T>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
  if (!pool || typeof pool.query !== 'function') return dataSource.query(text, values);
  return (await pool.query({ name, text, values })).rows as T[];
}
