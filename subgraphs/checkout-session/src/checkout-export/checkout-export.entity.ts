// A checkout export (migration 1795501100000): what was asked (kind, format, range, by whom), how
// far its job got, and its file's size; the file is checkout_export_chunks (checkout-export.build.ts).
import type { ActorKind } from '@handoff/shared';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ExportKind = 'checkout_events' | 'failed_sessions';
export type ExportFormat = 'csv' | 'ndjson';
export type ExportStatus = 'pending' | 'running' | 'ready' | 'failed';
export const EXPORT_KINDS: readonly ExportKind[] = ['checkout_events', 'failed_sessions'];
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'ndjson'];

const count = { to: (v: number) => v, from: (v: string | number) => Number(v) };

@Entity({ name: 'checkout_exports' })
export class CheckoutExportEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'merchant_id', type: 'text' }) merchantId: string;
  @Column({ type: 'text' }) kind: ExportKind;
  @Column({ type: 'text' }) format: ExportFormat;
  @Column({ name: 'range_from', type: 'timestamptz' }) rangeFrom: Date;
  @Column({ name: 'range_to', type: 'timestamptz' }) rangeTo: Date;
  @Column({ type: 'text' }) status: ExportStatus;
  @Column({ name: 'row_count', type: 'bigint', transformer: count }) rowCount: number;
  @Column({ name: 'byte_count', type: 'bigint', transformer: count }) byteCount: number;
  @Column({ name: 'chunk_count', type: 'integer' }) chunkCount: number;
  @Column({ name: 'failure_code', type: 'text', nullable: true }) failureCode: string | null;
  @Column({ name: 'failure_message', type: 'text', nullable: true }) failureMessage: string | null;
  @Column({ name: 'requested_by_kind', type: 'text' }) requestedByKind: ActorKind;
  @Column({ name: 'requested_by_id', type: 'text' }) requestedById: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt: Date | null;
  @Column({ name: 'file_expires_at', type: 'timestamptz', nullable: true }) fileExpiresAt: Date | null;
}
