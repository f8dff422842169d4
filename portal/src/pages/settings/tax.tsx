// Tax: prices inclusive or exclusive of tax, the default category, and the rates by country,
// region and category (setTaxConfig replaces the whole configuration).
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { PortalSetTaxConfigDocument, type PortalSettingsQuery } from '../../generated/graphql';
import { SaveRow, TextField } from '../../ui/field';
import { FormProblems, localProblem, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { parsePercentText, percentText } from './settings-logic';

type Tax = NonNullable<NonNullable<PortalSettingsQuery['merchant']>['taxConfig']>;
interface RateRow { key: number; country: string; region: string; category: string; percent: string }

let nextKey = 1;
const rowOf = (r?: Tax['rates'][number]): RateRow => ({
  key: nextKey++,
  country: r?.country ?? '',
  region: r?.region ?? '',
  category: r?.category ?? '',
  percent: r ? percentText(r.basisPoints) : '',
});

export function TaxForm({ merchantId, tax, canWrite, onSaved }: { merchantId: string; tax: Tax | null; canWrite: boolean; onSaved(): void }) {
  const [inclusive, setInclusive] = useState(tax?.pricesIncludeTax ?? false);
  const [category, setCategory] = useState(tax?.defaultCategory ?? 'standard');
  const [rows, setRows] = useState<RateRow[]>(() => (tax?.rates ?? []).map(rowOf));
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [saved, setSaved] = useState(false);
  const [{ fetching }, save] = useMutation(PortalSetTaxConfigDocument);
  const change = (key: number, patch: Partial<RateRow>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const local: ServerProblem[] = [];
    const rates = rows.map((r, i) => {
      const pct = parsePercentText(r.percent);
      if (!pct.ok) local.push(localProblem(`rates[${i}].basisPoints`, pct.message));
      return { country: r.country.trim().toUpperCase(), region: r.region.trim() || undefined, category: r.category.trim() || undefined, basisPoints: pct.ok ? pct.value : 0 };
    });
    if (local.length) return setProblems(local);
    const r = await save({ merchantId, input: { pricesIncludeTax: inclusive, defaultCategory: category.trim() || undefined, rates } });
    if (r.error) return setProblems(serverProblems(r.error));
    setProblems([]);
    setSaved(true);
    onSaved();
  }

  const claimed = ['defaultCategory', 'pricesIncludeTax', ...rows.map((_, i) => `rates[${i}]`)];
  return (
    <form className="settings-form" aria-label="Tax" onSubmit={submit}>
      <fieldset disabled={!canWrite}>
        <legend>Prices</legend>
        <label className="checkbox">
          <input type="radio" name="tax-inclusive" checked={inclusive} onChange={() => setInclusive(true)} /> Prices include tax
        </label>
        <label className="checkbox">
          <input type="radio" name="tax-inclusive" checked={!inclusive} onChange={() => setInclusive(false)} /> Tax is added on top
        </label>
        <TextField id="tax-default-category" label="Default category" value={category} onChange={setCategory} problem={problemAt(problems, 'defaultCategory')} />
      </fieldset>
      <fieldset disabled={!canWrite}>
        <legend>Rates</legend>
        {rows.length === 0 ? <p className="muted">No rates: every address is taxed at 0.</p> : null}
        <table className="table" aria-label="Tax rates">
          <thead>
            <tr>
              <th scope="col">Country</th>
              <th scope="col">Region (optional)</th>
              <th scope="col">Category (optional)</th>
              <th scope="col">Rate (%)</th>
              {canWrite ? <th scope="col"><span className="visually-hidden">Remove</span></th> : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const p = problemAt(problems, `rates[${i}]`);
              return (
                <tr key={r.key} data-tax-rate={i}>
                  <td><input aria-label={`Rate ${i + 1} country`} value={r.country} maxLength={2} size={4} onChange={(e) => change(r.key, { country: e.target.value })} aria-invalid={p && /country/.test(p.field ?? '') ? true : undefined} /></td>
                  <td><input aria-label={`Rate ${i + 1} region`} value={r.region} onChange={(e) => change(r.key, { region: e.target.value })} /></td>
                  <td><input aria-label={`Rate ${i + 1} category`} value={r.category} onChange={(e) => change(r.key, { category: e.target.value })} /></td>
                  <td>
                    <input aria-label={`Rate ${i + 1} percentage`} inputMode="decimal" size={6} value={r.percent} onChange={(e) => change(r.key, { percent: e.target.value })} aria-invalid={p ? true : undefined} aria-describedby={p ? `tax-rate-${i}-problem` : undefined} />
                    {p ? <p id={`tax-rate-${i}-problem`} role="alert" className="form-error">{p.local ? p.message : <><code className="error-code">{p.code}</code> {p.message}</>}</p> : null}
                  </td>
                  {canWrite ? (
                    <td><button type="button" className="button button-secondary" onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))} aria-label={`Remove rate ${i + 1}`}>Remove</button></td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
        {canWrite ? <button type="button" className="button button-secondary" onClick={() => setRows((rs) => [...rs, rowOf()])}>Add a rate</button> : null}
      </fieldset>
      {canWrite ? (
        <SaveRow label="Save tax settings" busy={fetching} saved={saved}>
          <FormProblems problems={problemsElsewhere(problems, claimed)} />
        </SaveRow>
      ) : null}
    </form>
  );
}
