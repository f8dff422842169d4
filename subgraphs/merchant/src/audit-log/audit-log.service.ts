// The audit log (issue 19, seed 003 §17): keeps the `audit.*` rows every package writes to its
// outbox (audit-log.job.ts: once each, whatever the relay re-adds) and answers admins' queries,
// newest first, filtered by merchant, entity, actor and time.
import {
  ACTOR_KINDS,
  AUDIT_ENTITY_TYPES,
  badUserInput,
  decodeCursor,
  pageSize,
  parseAuditPayload,
  requireKind,
  toPage,
  type Actor,
  type Page,
  type PageArgs,
  type Principal,
} from '@handoff/shared';
import { encodeTime } from 'ulid';
import type { DataSource } from 'typeorm';
import { SCHEMA_NAME } from '../constants.js';

const t = (name: string) => `"${SCHEMA_NAME}".${name}`;
const SOURCE = /^[a-z][a-z_]{0,30}$/;
const ID = /^aud_[0-9A-Z]{10}_[a-z][a-z_]{0,30}_[0-9]{19}$/;

/** An entry's id sorts by time, then source, then the source's own order (its outbox row). */
export function auditEntryId(at: Date, source: string, sourceEventId: string): string {
  return `aud_${encodeTime(at.getTime(), 10)}_${source}_${sourceEventId.padStart(19, '0')}`;
}

export interface AuditLogEntry {
  id: string;
  at: Date;
  entityType: string;
  entityId: string;
  merchantId: string | null;
  action: string;
  actor: Actor;
  requestId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** The package that wrote it (its schema). */
  source: string;
}

export interface AuditLogFilter {
  merchantId?: string | null;
  entityType?: string | null;
  entityId?: string | null;
  actorKind?: string | null;
  actorId?: string | null;
  since?: Date | null;
  until?: Date | null;
}

interface Row {
  id: string;
  at: Date;
  entity_type: string;
  entity_id: string;
  merchant_id: string | null;
  action: string;
  actor_kind: Actor['kind'];
  actor_id: string;
  request_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: string;
}

const fromRow = (r: Row): AuditLogEntry => ({
  id: r.id,
  at: new Date(r.at),
  entityType: r.entity_type,
  entityId: r.entity_id,
  merchantId: r.merchant_id,
  action: r.action,
  actor: { kind: r.actor_kind, id: r.actor_id },
  requestId: r.request_id,
  before: r.before,
  after: r.after,
  source: r.source,
});

/** A row that can never be kept (retrying will not help). */
export class InvalidAuditEntry extends Error {}

export type AuditOutcome = 'recorded' | 'duplicate';

const text = (v: string | null | undefined, field: string, max = 200): string | null => {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw badUserInput(`filter.${field}`, `must be 1 to ${max} characters.`);
  return v;
};

export class AuditLogService {
  constructor(private readonly dataSource: DataSource) {}

  /** Keeps one `audit.*` outbox row of package `source` (its schema), once. */
  async record(source: string, sourceEventId: string, payload: unknown): Promise<AuditOutcome> {
    if (!SOURCE.test(source)) throw new InvalidAuditEntry(`source ${JSON.stringify(source)} is not a schema name`);
    if (!/^[0-9]{1,19}$/.test(sourceEventId)) throw new InvalidAuditEntry('the source event id is not an outbox row id');
    const parsed = parseAuditPayload(payload);
    if (!parsed.ok) throw new InvalidAuditEntry(`not an audit row: ${parsed.problem}`);
    const e = parsed.entry;
    // No arbiter: the id is a function of (at, source, source event), so a clash on the primary key
    // is the same entry. With the arbiter named, concurrent replays raced on the primary key (23505).
    const rows = (await this.dataSource.query(
      `INSERT INTO ${t('audit_log')} (id, source, source_event_id, entity_type, entity_id, merchant_id, action, actor_kind, actor_id, request_id, at, before, after)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        auditEntryId(new Date(e.at), source, sourceEventId), source, sourceEventId, e.entityType, e.entityId, e.merchantId, e.action,
        e.actor.kind, e.actor.id, e.requestId, e.at, e.before === null ? null : JSON.stringify(e.before), e.after === null ? null : JSON.stringify(e.after),
      ],
    )) as unknown[];
    return rows.length === 1 ? 'recorded' : 'duplicate';
  }

  /** Admin only: the log, newest first. */
  async list(principal: Principal, filter: AuditLogFilter, args: PageArgs): Promise<Page<AuditLogEntry>> {
    requireKind(principal, 'ADMIN');
    const limit = pageSize(args.first);
    const after = decodeCursor(args.after);
    if (after !== undefined && !ID.test(after)) throw badUserInput('after', 'is not a valid cursor');
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    const merchantId = text(filter.merchantId, 'merchantId');
    if (merchantId) add('merchant_id = ?', merchantId);
    const entityType = text(filter.entityType, 'entityType', 40);
    if (entityType) {
      if (!(AUDIT_ENTITY_TYPES as readonly string[]).includes(entityType)) {
        throw badUserInput('filter.entityType', `must be one of ${AUDIT_ENTITY_TYPES.join(', ')}.`);
      }
      add('entity_type = ?', entityType);
    }
    const entityId = text(filter.entityId, 'entityId');
    if (entityId) add('entity_id = ?', entityId);
    const actorKind = text(filter.actorKind, 'actorKind', 20);
    if (actorKind) {
      if (!(ACTOR_KINDS as readonly string[]).includes(actorKind)) throw badUserInput('filter.actorKind', `must be one of ${ACTOR_KINDS.join(', ')}.`);
      add('actor_kind = ?', actorKind);
    }
    const actorId = text(filter.actorId, 'actorId');
    if (actorId) add('actor_id = ?', actorId);
    for (const [name, value] of [['since', filter.since], ['until', filter.until]] as const) {
      if (value !== null && value !== undefined && (!(value instanceof Date) || Number.isNaN(value.getTime()))) throw badUserInput(`filter.${name}`, 'must be a time.');
    }
    if (filter.since && filter.until && filter.since > filter.until) throw badUserInput('filter.until', 'must not be before since.');
    if (filter.since) add('at >= ?', filter.since);
    if (filter.until) add('at < ?', filter.until);
    const filtered = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const pageWhere = after === undefined ? filtered : `${filtered ? `${filtered} AND` : 'WHERE'} id < $${params.length + 1}`;
    const pageParams = after === undefined ? params : [...params, after];
    const [rows, count] = await Promise.all([
      this.dataSource.query(
        `SELECT id, at, entity_type, entity_id, merchant_id, action, actor_kind, actor_id, request_id, before, after, source
           FROM ${t('audit_log')} ${pageWhere} ORDER BY id DESC LIMIT $${pageParams.length + 1}`,
        [...pageParams, limit + 1],
      ) as Promise<Row[]>,
      this.dataSource.query(`SELECT count(*)::int AS n FROM ${t('audit_log')} ${filtered}`, params) as Promise<Array<{ n: number }>>,
    ]);
    return toPage(rows.map(fromRow), limit, count[0]!.n, (e) => e.id);
  }
}
