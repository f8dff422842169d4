// One CSV export's state for a button: busy while the pages are read, then the file saved, or
// the reason it was not (shown in a live region, so a screen reader hears it too).
import { useCallback, useState } from 'react';
import { downloadCsv } from '../../lib/csv';
import { ExportError } from './export';

export type ExportState = { status: 'idle' } | { status: 'busy' } | { status: 'done'; message: string } | { status: 'failed'; message: string };

export function useCsvExport(): [ExportState, (make: () => Promise<{ filename: string; csv: string; rows: number }>) => Promise<void>] {
  const [state, setState] = useState<ExportState>({ status: 'idle' });
  const start = useCallback(async (make: () => Promise<{ filename: string; csv: string; rows: number }>) => {
    setState({ status: 'busy' });
    try {
      const { filename, csv, rows } = await make();
      downloadCsv(filename, csv);
      setState({ status: 'done', message: `Saved ${filename} (${rows.toLocaleString()} ${rows === 1 ? 'row' : 'rows'}).` });
    } catch (e) {
      setState({ status: 'failed', message: e instanceof ExportError ? e.message : 'The export failed: try again.' });
    }
  }, []);
  return [state, start];
}

export function ExportStatus({ state, id }: { state: ExportState; id: string }) {
  return (
    <p id={id} className={state.status === 'failed' ? 'form-error' : 'muted'} role="status" aria-live="polite">
      {state.status === 'busy' ? 'Preparing the file…' : state.status === 'done' || state.status === 'failed' ? state.message : ''}
    </p>
  );
}
