// Builds an export's file (the checkout-exports job): the rows of its kind and range, page by page
// (checkout-export.rows.ts), written as chunks of whole lines of about CHUNK_BYTES, so memory holds
// one page and one chunk however large the file. Idempotent: a ready or failed export is left as it
// is; a rerun of one that was interrupted starts its file again. Past `maxRows` rows the export
// fails with EXPORT_TOO_LARGE (its chunks removed) instead of filling the database. Each run also
// removes the chunks of files past their FILE_TTL_DAYS. The rows are read on the read replica
// (DATABASE_READ_URL) once it has replayed everything committed before the build started (so the
// file is what the primary would give), else on the primary; the file is written on the primary.
import type { ReadPool } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { table } from '../events.js';
import type { CheckoutExportEntity } from './checkout-export.entity.js';
import { fileHeader, fileLine } from './checkout-export.format.js';
import { exportSource, type Keyset } from './checkout-export.rows.js';

export const CHUNK_BYTES = 256 * 1024;
/** How long a ready file is kept (its links can be signed until then). */
export const FILE_TTL_DAYS = 7;
export const DEFAULT_MAX_EXPORT_ROWS = 5_000_000;

export type BuildOutcome = 'built' | 'skipped' | 'too_large';

interface ExportRow {
  id: string;
  merchant_id: string;
  kind: CheckoutExportEntity['kind'];
  format: CheckoutExportEntity['format'];
  range_from: Date;
  range_to: Date;
}

export class ExportBuilder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly maxRows = DEFAULT_MAX_EXPORT_ROWS,
    private readonly reads?: ReadPool,
  ) {}

  async build(exportId: string): Promise<BuildOutcome> {
    await this.purgeExpiredFiles();
    // An UPDATE answers [rows, count].
    const [[claimed]] = (await this.dataSource.query(
      `UPDATE ${table('checkout_exports')} SET status = 'running', started_at = now()
        WHERE id = $1 AND status IN ('pending', 'running')
        RETURNING id, merchant_id, kind, format, range_from, range_to`,
      [exportId],
    )) as [ExportRow[], number];
    if (!claimed) return 'skipped';
    // A rerun after an interruption starts the file again.
    await this.dataSource.query(`DELETE FROM ${table('checkout_export_chunks')} WHERE export_id = $1`, [exportId]);
    const source = exportSource(this.reads ? await this.reads.caughtUp() : this.dataSource, claimed.kind);
    let seq = 0;
    let rows = 0;
    let bytes = 0;
    let buffer = fileHeader(claimed.format, source.columns);
    const flush = async () => {
      if (!buffer) return;
      await this.dataSource.query(`INSERT INTO ${table('checkout_export_chunks')} (export_id, seq, data) VALUES ($1, $2, $3)`, [exportId, seq++, buffer]);
      bytes += Buffer.byteLength(buffer, 'utf8');
      buffer = '';
    };
    let after: Keyset | null = null;
    do {
      const page = await source.page(claimed.merchant_id, new Date(claimed.range_from), new Date(claimed.range_to), after);
      for (const record of page.records) {
        buffer += fileLine(claimed.format, source.columns, record);
        if (buffer.length >= CHUNK_BYTES) await flush();
      }
      rows += page.records.length;
      if (rows > this.maxRows) return this.refuse(exportId);
      after = page.last;
    } while (after);
    await flush();
    await this.dataSource.query(
      `UPDATE ${table('checkout_exports')}
          SET status = 'ready', row_count = $2, byte_count = $3, chunk_count = $4, completed_at = now(), file_expires_at = now() + interval '${FILE_TTL_DAYS} days'
        WHERE id = $1 AND status = 'running'`,
      [exportId, rows, bytes, seq],
    );
    return 'built';
  }

  /** Files past their 7 days go (their exports stay, listed, with no link): each job sweeps what expired since the last. */
  async purgeExpiredFiles(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM ${table('checkout_export_chunks')} c USING ${table('checkout_exports')} e
        WHERE c.export_id = e.id AND e.status = 'ready' AND e.file_expires_at < now()`,
    );
  }

  /** The export failed for good (its job's last attempt, or a file too large): recorded on it, its chunks removed. */
  async fail(exportId: string, code: string, message: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(`DELETE FROM ${table('checkout_export_chunks')} WHERE export_id = $1`, [exportId]);
      await m.query(
        `UPDATE ${table('checkout_exports')} SET status = 'failed', failure_code = $2, failure_message = $3, completed_at = now()
          WHERE id = $1 AND status IN ('pending', 'running')`,
        [exportId, code, message],
      );
    });
  }

  private async refuse(exportId: string): Promise<BuildOutcome> {
    await this.fail(exportId, 'EXPORT_TOO_LARGE', `The export would hold more than ${this.maxRows} rows: ask for a shorter range.`);
    return 'too_large';
  }
}
