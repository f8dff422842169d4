// An export's file formats: CSV (RFC 4180: a header line, fields quoted when they hold a comma,
// quote or line break, CRLF line ends) and NDJSON (one JSON object a line, LF). A CSV text field
// that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
// is prefixed with a single quote (OWASP's CSV injection advice); NDJSON keeps values as they are.
import type { ExportFormat } from './checkout-export.entity.js';

/** One exported row: column name → value (string, number, boolean, null, or an object written as JSON). */
export type ExportRecord = Record<string, unknown>;

const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : JSON.stringify(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

const jsonValue = (v: unknown) => (v instanceof Date ? v.toISOString() : v === undefined ? null : v);

/** The file's first text: CSV's header line; nothing for NDJSON. */
export function fileHeader(format: ExportFormat, columns: readonly string[]): string {
  return format === 'csv' ? csvLine(columns) : '';
}

/** One row as a line of the file, its fields in `columns` order. */
export function fileLine(format: ExportFormat, columns: readonly string[], record: ExportRecord): string {
  if (format === 'csv') return csvLine(columns.map((c) => record[c]));
  return `${JSON.stringify(Object.fromEntries(columns.map((c) => [c, jsonValue(record[c])])))}\n`;
}

export const CONTENT_TYPES: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8' };
