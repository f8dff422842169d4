// CSV as spreadsheets read it (RFC 4180): comma-separated, CRLF line ends, a field quoted when it
// holds a comma, quote or line break (quotes doubled). Text a merchant, buyer or agent controls
// (an order reference, an agent's name) may begin with = + - @ or a tab: a spreadsheet would run
// it as a formula (CSV injection), so such a text cell is prefixed with a single quote. Numbers
// (amounts as exact decimals, counts) are written as they are, so "-1.50" stays a number.
export type CsvCell = string | number | null | undefined | { number: string };

/** A decimal string written as a number cell (not neutralised: "-1.50" is an amount). */
export const csvNumber = (decimal: string): CsvCell => ({ number: decimal });

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : '';
  else if (typeof value === 'object') text = value.number;
  else text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** Saves `csv` as a file named `filename` (a Blob URL and a download link; nothing leaves the page). */
export function downloadCsv(filename: string, csv: string): void {
  // A byte-order mark so that spreadsheet programs read the file as UTF-8.
  const url = URL.createObjectURL(new Blob(['\ufeff', csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started from the URL by now; free it after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
