// A checkout session and its lines in ONE statement, for the hot path of calculateCheckout: the
// lines come as a json array beside the session's row, and both are hydrated from the entities'
// TypeORM metadata (its columns, type conversions and transformers, e.g. bigint minor units), so
// no query builder runs and the SQL is written once per process. Scoped as every read of
// sessions is (checkoutSessionScopeSql). A named prepared statement (planned once per connection).
import { hotQuery, type Principal } from '@handoff/shared';
import type { EntityManager, EntityMetadata } from 'typeorm';
import { table } from '../events.js';
import { checkoutSessionScopeSql } from './checkout-session.access.js';
import { CheckoutSessionEntity } from './checkout-session.entity.js';
import { LineItemEntity } from './line-item.entity.js';

export interface SessionWithLines {
  cs: CheckoutSessionEntity;
  /** In position order. */
  lines: LineItemEntity[];
}

const LINES = '__lines';
const compiled = new WeakMap<EntityManager['connection'], { sql: string; session: EntityMetadata; line: EntityMetadata }>();

function compile(manager: EntityManager) {
  let c = compiled.get(manager.connection);
  if (!c) {
    const session = manager.connection.getMetadata(CheckoutSessionEntity);
    const line = manager.connection.getMetadata(LineItemEntity);
    const columns = session.columns.map((col) => `cs."${col.databaseName}"`).join(', ');
    const sql =
      `SELECT ${columns}, (SELECT COALESCE(json_agg(li ORDER BY li.position), '[]'::json) FROM ${table('checkout_line_items')} li ` +
      `WHERE li.checkout_session_id = cs.id) AS ${LINES} FROM ${table('checkout_sessions')} cs WHERE cs.id = $1 AND `;
    c = { sql, session, line };
    compiled.set(manager.connection, c);
  }
  return c;
}

function hydrate<T>(manager: EntityManager, meta: EntityMetadata, raw: Record<string, unknown>): T {
  const driver = manager.connection.driver;
  const entity = meta.create() as T;
  for (const col of meta.columns) col.setEntityValue(entity as object, driver.prepareHydratedValue(raw[col.databaseName], col));
  return entity;
}

/** The session `principal` may see, with its lines; null when there is none. */
export async function readSessionWithLines(manager: EntityManager, principal: Principal, id: string): Promise<SessionWithLines | null> {
  const scope = checkoutSessionScopeSql(principal, 'cs', 2);
  const c = compile(manager);
  const rows = await hotQuery<Record<string, unknown>>(manager, 'checkout-session-read', c.sql + scope.sql, [id, ...scope.params]);
  const row = rows[0];
  if (!row) return null;
  const lines = ((row[LINES] as Array<Record<string, unknown>> | null) ?? []).map((l) => hydrate<LineItemEntity>(manager, c.line, l));
  return { cs: hydrate<CheckoutSessionEntity>(manager, c.session, row), lines };
}
