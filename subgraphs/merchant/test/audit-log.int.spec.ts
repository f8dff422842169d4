// The audit log (issue 19 item 5), against real PostgreSQL: a configuration change writes its
// audit row in the change's own transaction, stamped with the request's actor and id and with
// the configuration before and after; the intake keeps each outbox row once, however often its
// job is replayed, and refuses a malformed one for good; merchant.audit_log refuses UPDATE,
// DELETE and TRUNCATE; only an admin reads it, newest first, filtered and paged.
import { randomUUID } from 'node:crypto';
import { actorOf, ErrorCode, runWithRequestContext, type OutboxJobData, type Principal } from '@handoff/shared';
import { UnrecoverableError } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAuditJob } from '../src/audit-log/audit-log.job.js';
import { AuditLogService } from '../src/audit-log/audit-log.service.js';
import { admin, gbpCpaMerchant, merchantPrincipal, startTestApp, type TestApp } from './support.js';

let t: TestApp;
let audit: AuditLogService;

beforeAll(async () => {
  t = await startTestApp();
  audit = new AuditLogService(t.app.dataSource);
});

afterAll(async () => {
  await t?.close();
});

/** Runs `fn` as a request made by `principal` does (the subgraph server's request context). */
const asRequest = <T>(principal: Principal, requestId: string, fn: () => Promise<T>) => runWithRequestContext({ requestId, actor: actorOf(principal) }, fn);

interface OutboxRow {
  id: string;
  topic: string;
  aggregate_id: string;
  payload: Record<string, any>;
  created_at: Date;
  xmin: string;
}

const auditRowsOf = (entityId: string) =>
  t.app.dataSource.query(`SELECT id::text, topic, aggregate_id, payload, created_at, xmin::text FROM merchant.outbox WHERE topic LIKE 'audit.%' AND aggregate_id = $1 ORDER BY id`, [entityId]) as Promise<
    OutboxRow[]
  >;

/** The job the relay would add for an outbox row. */
const jobOf = (r: OutboxRow): OutboxJobData => ({ outboxId: r.id, schema: 'merchant', topic: r.topic, aggregateId: r.aggregate_id, payload: r.payload, createdAt: new Date(r.created_at).toISOString() });

const fakeJob = (payload: Record<string, unknown>, schema = 'payment'): OutboxJobData => ({
  outboxId: String(BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))),
  schema,
  topic: `audit.${String(payload.entityType)}.${String(payload.action)}`,
  aggregateId: String(payload.entityId),
  payload,
  createdAt: new Date().toISOString(),
});

describe('the audit log', () => {
  it("writes a tax configuration change's row in its transaction, with the actor, the request and before/after; kept once", async () => {
    const m = await t.services.merchants.create(admin, gbpCpaMerchant(), undefined);
    const self = merchantPrincipal(m.id);
    const requestId = `req-${randomUUID()}`;
    await asRequest(self, requestId, () => t.services.taxConfigs.set(self, m.id, { pricesIncludeTax: false, rates: [{ country: 'GB', basisPoints: 2000 }] }));
    await asRequest(admin, `req-${randomUUID()}`, () => t.services.taxConfigs.set(admin, m.id, { pricesIncludeTax: true, rates: [{ country: 'GB', basisPoints: 2000 }] }));

    const rows = (await auditRowsOf(m.id)).filter((r) => r.topic === 'audit.tax_config.set');
    expect(rows).toHaveLength(2);
    // The same transaction as the merchant.updated that announced the change.
    const [announced] = (await t.app.dataSource.query(`SELECT xmin::text FROM merchant.outbox WHERE topic = 'merchant.updated' AND aggregate_id = $1 ORDER BY id LIMIT 1`, [m.id])) as Array<{
      xmin: string;
    }>;
    expect(rows[0]!.xmin).toBe(announced!.xmin);
    expect(rows[0]!.payload).toMatchObject({
      entityType: 'tax_config',
      entityId: m.id,
      merchantId: m.id,
      action: 'set',
      actor: { kind: 'merchant', id: self.kind === 'MERCHANT' ? self.keyId : '' },
      requestId,
      before: { rates: [] },
      after: { rates: [{ country: 'GB', basisPoints: 2000 }] },
    });
    // Only what changed: the second set changed pricesIncludeTax alone.
    expect(rows[1]!.payload).toMatchObject({ actor: { kind: 'admin', id: 'key_admin_test' }, before: { pricesIncludeTax: false }, after: { pricesIncludeTax: true } });
    expect(rows[1]!.payload.before).not.toHaveProperty('rates');

    // The intake, replayed five times at once and once more: one row.
    const job = jobOf(rows[0]!);
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => processAuditJob(audit, job)));
    expect(outcomes.filter((o) => o === 'recorded')).toHaveLength(1);
    expect(await processAuditJob(audit, job)).toBe('duplicate');
    const kept = await audit.list(admin, { merchantId: m.id, entityType: 'tax_config' }, {});
    expect(kept.totalCount).toBe(1);
    expect(kept.edges[0]!.node).toMatchObject({ action: 'set', actor: { kind: 'merchant' }, requestId, source: 'merchant', before: { rates: [] } });
  });

  it('refuses a malformed row for good', async () => {
    const good = { entityType: 'payment_intent', entityId: 'pi_1', merchantId: 'm', action: 'succeeded', actor: { kind: 'service', id: 'payment-intent' }, requestId: null, at: new Date().toISOString() };
    for (const bad of [
      { ...good, actor: { kind: 'root', id: 'x' } },
      { ...good, actor: undefined },
      { ...good, action: 'Drop Table' },
      { ...good, at: 'yesterday' },
      { ...good, entityId: '' },
      { ...good, before: 'not an object' },
    ]) {
      await expect(processAuditJob(audit, fakeJob(bad))).rejects.toBeInstanceOf(UnrecoverableError);
    }
    await expect(processAuditJob(audit, fakeJob(good, 'Not A Schema'))).rejects.toBeInstanceOf(UnrecoverableError);
    // An oversized snapshot is kept, marked truncated: an audit row is never dropped for its size.
    const big = fakeJob({ ...good, entityId: `pi_${randomUUID()}`, after: { blob: 'x'.repeat(40_000) } });
    expect(await processAuditJob(audit, big)).toBe('recorded');
    const [row] = (await audit.list(admin, { entityId: String(big.aggregateId) }, {})).edges;
    expect(row!.node.after).toEqual({ truncated: true, bytes: expect.any(Number) });
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    const job = fakeJob({ entityType: 'conversion', entityId: `cv_${randomUUID()}`, merchantId: 'm', action: 'verified', actor: { kind: 'admin', id: 'k' }, requestId: 'r', at: new Date().toISOString() }, 'ledger');
    await processAuditJob(audit, job);
    const [{ id }] = (await t.app.dataSource.query(`SELECT id FROM merchant.audit_log WHERE entity_id = $1`, [job.aggregateId])) as Array<{ id: string }>;
    await expect(t.app.dataSource.query(`UPDATE merchant.audit_log SET action = 'edited' WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(t.app.dataSource.query(`DELETE FROM merchant.audit_log WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(t.app.dataSource.query(`TRUNCATE merchant.audit_log`)).rejects.toThrow(/append-only/);
    expect((await audit.list(admin, { entityId: job.aggregateId }, {})).edges[0]!.node.action).toBe('verified');
  });

  it('is read by admins only, newest first, filtered by actor and time, in pages', async () => {
    const entityId = `cs_${randomUUID()}`;
    const base = Date.now() - 60_000;
    for (const [i, actor] of [{ kind: 'merchant', id: 'key_a' }, { kind: 'client', id: entityId }, { kind: 'merchant', id: 'key_a' }, { kind: 'service', id: 'checkout-session' }].entries()) {
      await processAuditJob(
        audit,
        fakeJob({ entityType: 'checkout_session', entityId, merchantId: 'm_page', action: `step_${'abcd'[i]}`, actor, requestId: null, at: new Date(base + i * 1000).toISOString() }, 'checkout'),
      );
    }
    await expect(audit.list(merchantPrincipal('m_page'), { entityId }, {})).rejects.toMatchObject({ extensions: { code: ErrorCode.FORBIDDEN } });
    const all = await audit.list(admin, { entityType: 'checkout_session', entityId }, {});
    expect(all.edges.map((e) => e.node.action)).toEqual(['step_d', 'step_c', 'step_b', 'step_a']);
    const byActor = await audit.list(admin, { entityId, actorKind: 'merchant', actorId: 'key_a' }, {});
    expect(byActor.edges.map((e) => e.node.action)).toEqual(['step_c', 'step_a']);
    const window = await audit.list(admin, { entityId, since: new Date(base + 1000), until: new Date(base + 3000) }, {});
    expect(window.edges.map((e) => e.node.action)).toEqual(['step_c', 'step_b']);
    const first = await audit.list(admin, { entityId }, { first: 3 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await audit.list(admin, { entityId }, { first: 3, after: first.pageInfo.endCursor });
    expect([...first.edges, ...rest.edges].map((e) => e.node.action)).toEqual(['step_d', 'step_c', 'step_b', 'step_a']);
    for (const [filter, field] of [
      [{ entityType: 'everything' }, 'filter.entityType'],
      [{ actorKind: 'root' }, 'filter.actorKind'],
      [{ since: new Date(base + 5000), until: new Date(base) }, 'filter.until'],
    ] as const) {
      await expect(audit.list(admin, filter, {})).rejects.toMatchObject({ extensions: { code: ErrorCode.BAD_USER_INPUT, field } });
    }
    await expect(audit.list(admin, {}, { after: Buffer.from('nope').toString('base64url') })).rejects.toMatchObject({ extensions: { code: ErrorCode.BAD_USER_INPUT } });
  });
});
