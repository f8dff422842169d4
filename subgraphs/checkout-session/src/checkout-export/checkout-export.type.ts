// The GraphQL face of checkout exports: CheckoutExport (its status, size and, once ready, a signed
// download link), the request input, and the enums.
import { Connection, SafeInt } from '@handoff/shared';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { CheckoutExportEntity } from './checkout-export.entity.js';

export enum CheckoutExportKind {
  CHECKOUT_EVENTS = 'checkout_events',
  FAILED_SESSIONS = 'failed_sessions',
}
registerEnumType(CheckoutExportKind, {
  name: 'CheckoutExportKind',
  description: "CHECKOUT_EVENTS: the timeline entries of the merchant's sessions in the range; FAILED_SESSIONS: its checkout failures first failed in the range, open or resolved.",
});

export enum CheckoutExportFormat {
  CSV = 'csv',
  NDJSON = 'ndjson',
}
registerEnumType(CheckoutExportFormat, { name: 'CheckoutExportFormat', description: 'CSV (RFC 4180, a header line) or NDJSON (one JSON object a line).' });

export enum CheckoutExportStatus {
  PENDING = 'pending',
  RUNNING = 'running',
  READY = 'ready',
  FAILED = 'failed',
}
registerEnumType(CheckoutExportStatus, { name: 'CheckoutExportStatus' });

@ObjectType('CheckoutExportFailure')
export class CheckoutExportFailure {
  @Field({ description: 'EXPORT_TOO_LARGE (more rows than an export holds: ask for a shorter range) or EXPORT_FAILED.' }) code: string;
  @Field() message: string;
}

@ObjectType('CheckoutExportDownload', { description: 'A signed link to the file: no API key needed; refused (403) once expired or if changed.' })
export class CheckoutExportDownload {
  @Field() url: string;
  @Field(() => Date) expiresAt: Date;
}

@ObjectType('CheckoutExport', { description: 'An export of checkout events or failed sessions (seed 003 §16), written by an asynchronous job.' })
export class CheckoutExport {
  @Field(() => ID) id: string;
  @Field(() => ID) merchantId: string;
  @Field(() => CheckoutExportKind) kind: CheckoutExportKind;
  @Field(() => CheckoutExportFormat) format: CheckoutExportFormat;
  @Field(() => Date, { description: 'Inclusive.' }) from: Date;
  @Field(() => Date, { description: 'Exclusive.' }) to: Date;
  @Field(() => CheckoutExportStatus, { description: 'pending → running → ready (or failed).' }) status: CheckoutExportStatus;
  @Field(() => SafeInt, { description: 'Rows in the file (0 until ready).' }) rowCount: number;
  @Field(() => SafeInt, { description: "The file's size in bytes (0 until ready)." }) byteCount: number;
  @Field(() => CheckoutExportFailure, { nullable: true }) failure: CheckoutExportFailure | null;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, { nullable: true }) completedAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'Until when the ready file is kept.' }) fileExpiresAt: Date | null;

  /** The row, for the download link. */
  entity: CheckoutExportEntity;

  static from(e: CheckoutExportEntity): CheckoutExport {
    return Object.assign(new CheckoutExport(), {
      id: e.id,
      merchantId: e.merchantId,
      kind: e.kind as CheckoutExportKind,
      format: e.format as CheckoutExportFormat,
      from: e.rangeFrom,
      to: e.rangeTo,
      status: e.status as CheckoutExportStatus,
      rowCount: e.rowCount,
      byteCount: e.byteCount,
      failure: e.status === 'failed' && e.failureCode ? Object.assign(new CheckoutExportFailure(), { code: e.failureCode, message: e.failureMessage ?? '' }) : null,
      createdAt: e.createdAt,
      completedAt: e.completedAt,
      fileExpiresAt: e.fileExpiresAt,
      entity: e,
    });
  }
}

export const CheckoutExportConnection = Connection('CheckoutExport', CheckoutExport);

@InputType('CreateExportInput')
export class CreateExportInput {
  @Field(() => ID, { nullable: true, description: "A merchant key: its own (the default); an admin: required." }) merchantId?: string | null;
  @Field(() => CheckoutExportKind) kind: CheckoutExportKind;
  @Field(() => CheckoutExportFormat) format: CheckoutExportFormat;
  @Field(() => Date, { description: 'Inclusive.' }) from: Date;
  @Field(() => Date, { description: 'Exclusive; at most 366 days after `from` (DATE_RANGE_TOO_LARGE).' }) to: Date;
}

