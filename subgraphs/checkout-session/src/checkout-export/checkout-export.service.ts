// Checkout exports (seed 003 §16 "export checkout events / failed sessions to S3/BI (async job)"):
// requesting one (a row and its `checkout_export.requested` outbox row in one transaction: the
// relay hands it to the checkout-exports job, checkout-export.job.ts), reading one or a list
// (a merchant: its own; an admin: any), its signed download link once ready, and the chunks a
// download reads through a link (checkout-export.routes.ts).
import {
  addToOutbox,
  badUserInput,
  CHECKOUT_EXPORT_REQUESTED_TOPIC,
  emptyPage,
  forbidden,
  notFound,
  ErrorCode,
  optionalId,
  pageOf,
  requireKind,
  type CheckoutExportRequestedPayload,
  type ExportChunkAnswer,
  type IdempotencyCodec,
  type IdempotencyStore,
  type Page,
  type PageArgs,
  type Principal,
  knownActorOf,
} from '@handoff/shared';
import { ulid } from 'ulid';
import type { DataSource } from 'typeorm';
import { SCHEMA_NAME, table, type OutboxNotifier } from '../events.js';
import { dateRange } from '../checkout-metrics/date-range.js';
import type { MerchantDirectory } from '../ports/merchant.port.js';
import { CheckoutExportEntity, EXPORT_FORMATS, EXPORT_KINDS, type ExportFormat, type ExportKind } from './checkout-export.entity.js';
import { DEFAULT_LINK_TTL_SECONDS, MAX_LINK_TTL_SECONDS, type ExportLinkSigner } from './checkout-export.link.js';

export interface CreateExportArgs {
  merchantId?: string | null;
  kind: ExportKind;
  format: ExportFormat;
  from: Date | null;
  to: Date | null;
}

export type ChunkRead = { ok: true; answer: ExportChunkAnswer } | { ok: false; status: number; code: string; error: string };

const codec: IdempotencyCodec<CheckoutExportEntity> = {
  toStored: (e) => ({ id: e.id }),
  fromStored: (stored: { id: string }, manager) => manager.findOneByOrFail(CheckoutExportEntity, { id: stored.id }),
};

export const exportNotFound = () => notFound(ErrorCode.EXPORT_NOT_FOUND, 'Checkout export not found.');

export class CheckoutExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly merchants: MerchantDirectory,
    private readonly signer: ExportLinkSigner,
    private readonly outbox: OutboxNotifier,
    private readonly publicBaseUrl: string,
  ) {}

  /** Requests an export: `pending` until its job has written the file. */
  async create(principal: Principal, args: CreateExportArgs, key?: string): Promise<CheckoutExportEntity> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const asked = optionalId(args.merchantId ?? undefined, 'merchantId');
    if (!EXPORT_KINDS.includes(args.kind)) throw badUserInput('kind', `must be one of ${EXPORT_KINDS.join(', ')}.`);
    if (!EXPORT_FORMATS.includes(args.format)) throw badUserInput('format', `must be one of ${EXPORT_FORMATS.join(', ')}.`);
    const range = dateRange(args.from, args.to, { required: true });
    let merchantId: string;
    if (p.kind === 'MERCHANT') {
      if (asked !== undefined && asked !== p.merchantId) throw forbidden("A merchant key exports its own merchant's data.");
      merchantId = p.merchantId;
    } else {
      if (asked === undefined) throw badUserInput('merchantId', 'an admin names the merchant to export.');
      if (!(await this.merchants.merchant(asked))) throw notFound(ErrorCode.MERCHANT_NOT_FOUND, 'Merchant not found.');
      merchantId = asked;
    }
    const requestedBy = knownActorOf(p);
    const input = { merchantId, kind: args.kind, format: args.format, from: range.from.toISOString(), to: range.to.toISOString() };
    const created = await this.idempotency.run(
      { principal: p, key, operation: 'createExport', input },
      async (manager) => {
        const row = manager.create(CheckoutExportEntity, {
          id: `cex_${ulid()}`, merchantId, kind: args.kind, format: args.format, rangeFrom: range.from, rangeTo: range.to, status: 'pending',
          rowCount: 0, byteCount: 0, chunkCount: 0, failureCode: null, failureMessage: null, requestedByKind: requestedBy.kind,
          requestedById: requestedBy.id, createdAt: new Date(), startedAt: null, completedAt: null, fileExpiresAt: null,
        });
        await manager.insert(CheckoutExportEntity, row);
        const payload: CheckoutExportRequestedPayload = { exportId: row.id, merchantId };
        await addToOutbox(manager, SCHEMA_NAME, { topic: CHECKOUT_EXPORT_REQUESTED_TOPIC, aggregateId: row.id, payload: { ...payload } });
        return row;
      },
      codec,
    );
    this.outbox.notify();
    return created;
  }

  /** The export, when the caller may see it (null otherwise: another merchant's is unknown to it). */
  async find(principal: Principal, rawId: string): Promise<CheckoutExportEntity | null> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const id = optionalId(rawId, 'id');
    if (!id) return null;
    const row = await this.dataSource.manager.findOneBy(CheckoutExportEntity, { id });
    if (!row || (p.kind === 'MERCHANT' && row.merchantId !== p.merchantId)) return null;
    return row;
  }

  /** Exports, newest last (a merchant: its own; an admin: all, or one merchant's). */
  async list(principal: Principal, args: PageArgs & { merchantId?: string | null }): Promise<Page<CheckoutExportEntity>> {
    const p = requireKind(principal, 'MERCHANT', 'ADMIN');
    const merchantId = optionalId(args.merchantId ?? undefined, 'merchantId');
    const qb = this.dataSource.getRepository(CheckoutExportEntity).createQueryBuilder('e');
    if (p.kind === 'MERCHANT') {
      if (merchantId && merchantId !== p.merchantId) return emptyPage();
      qb.where('e.merchant_id = :merchantId', { merchantId: p.merchantId });
    } else if (merchantId) {
      qb.where('e.merchant_id = :merchantId', { merchantId });
    }
    return pageOf(qb, 'e', args);
  }

  /** A signed download link of a ready export (null before, or once its file expired), valid `ttlSeconds` but never past the file. */
  downloadLink(e: CheckoutExportEntity, ttlSeconds: number | null | undefined, nowMs = Date.now()): { url: string; expiresAt: Date } | null {
    const ttl = ttlSeconds ?? DEFAULT_LINK_TTL_SECONDS;
    if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > MAX_LINK_TTL_SECONDS) throw badUserInput('expiresInSeconds', `must be between 1 and ${MAX_LINK_TTL_SECONDS}.`);
    if (e.status !== 'ready' || !e.fileExpiresAt || e.fileExpiresAt.getTime() <= nowMs) return null;
    const fileLeft = Math.floor((e.fileExpiresAt.getTime() - nowMs) / 1000);
    if (fileLeft < 1) return null;
    return this.signer.link(this.publicBaseUrl, e.id, Math.min(ttl, fileLeft), nowMs);
  }

  /** One chunk of a ready export's file, for a download link that verifies (the gateway's download route). */
  async chunk(exportId: string, seq: number, link: { expires: unknown; signature: unknown }): Promise<ChunkRead> {
    const check = this.signer.check(exportId, link.expires, link.signature);
    if (check === 'invalid') return { ok: false, status: 403, code: ErrorCode.DOWNLOAD_LINK_INVALID, error: 'The download link is not valid.' };
    if (check === 'expired') return { ok: false, status: 403, code: ErrorCode.DOWNLOAD_LINK_EXPIRED, error: 'The download link has expired: ask the export for a new one.' };
    const e = await this.dataSource.manager.findOneBy(CheckoutExportEntity, { id: exportId });
    if (!e || e.status !== 'ready' || !e.fileExpiresAt || e.fileExpiresAt.getTime() <= Date.now()) {
      return { ok: false, status: 404, code: ErrorCode.EXPORT_NOT_FOUND, error: 'Checkout export not found.' };
    }
    if (!Number.isSafeInteger(seq) || seq < 0 || (seq >= e.chunkCount && !(seq === 0 && e.chunkCount === 0))) {
      return { ok: false, status: 404, code: ErrorCode.EXPORT_NOT_FOUND, error: 'No such part of the export.' };
    }
    const [row] = (await this.dataSource.query(`SELECT data FROM ${table('checkout_export_chunks')} WHERE export_id = $1 AND seq = $2`, [exportId, seq])) as Array<{
      data: string;
    }>;
    return {
      ok: true,
      answer: { exportId: e.id, kind: e.kind, format: e.format, chunkCount: e.chunkCount, byteCount: e.byteCount, seq, data: row?.data ?? '' },
    };
  }
}
