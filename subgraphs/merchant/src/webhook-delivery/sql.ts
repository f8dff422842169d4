// Plain SQL for the webhook tables: qualified names, and UPDATE … RETURNING read as rows
// (TypeORM answers a bare UPDATE's RETURNING as [rows, count]; inside WITH it is a SELECT).
import type { EntityManager } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';

export const table = (name: string) => `"${SCHEMA_NAME}".${name}`;

export function updateReturning<T>(manager: Pick<EntityManager, 'query'>, sql: string, params: unknown[]): Promise<T[]> {
  return manager.query(`WITH changed AS (${sql}) SELECT * FROM changed`, params);
}

/** Named prepared statements for the delivery path's hot statements (shared/src/persistence/prepared-query.ts). */
export { preparedQuery } from '@handoff/shared';
