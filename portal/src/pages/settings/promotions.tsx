// Promotions: the merchant's promotions (paged by cursor), a create form (a code, percent or
// amount off, an optional minimum and end) and disable/enable (updatePromotion active).
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { PortalCreatePromotionDocument, PortalPromotionsDocument, PortalUpdatePromotionDocument } from '../../generated/graphql';
import { formatMoney } from '../../lib/money';
import { SaveRow, SelectField, TextField } from '../../ui/field';
import { Pagination, useCursorPages } from '../../ui/pagination';
import { formatWhen, newIdempotencyKey } from '../../ui/secrets';
import { FormProblems, localProblem, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { localInputToIso } from '../developers/developers-logic';
import { parseMoneyText, parsePercentText, parseWholeText, percentText } from './settings-logic';

const PAGE_SIZE = 20;
type Off = 'PERCENT' | 'AMOUNT';

function CreatePromotion({ merchantId, currency, onCreated }: { merchantId: string; currency: string; onCreated(): void }) {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [off, setOff] = useState<Off>('PERCENT');
  const [value, setValue] = useState('');
  const [minSubtotal, setMinSubtotal] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [usageLimit, setUsageLimit] = useState('');
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [saved, setSaved] = useState(false);
  const [attempt, setAttempt] = useState(newIdempotencyKey);
  const [{ fetching }, create] = useMutation(PortalCreatePromotionDocument);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const local: ServerProblem[] = [];
    const pct = off === 'PERCENT' ? parsePercentText(value) : undefined;
    const amt = off === 'AMOUNT' ? parseMoneyText(value, currency) : undefined;
    if (pct && !pct.ok) local.push(localProblem('percentOffBasisPoints', pct.message));
    if (amt && !amt.ok) local.push(localProblem('amountOff', amt.message));
    const min = minSubtotal.trim() ? parseMoneyText(minSubtotal, currency) : undefined;
    if (min && !min.ok) local.push(localProblem('minSubtotal', min.message));
    const limit = parseWholeText(usageLimit, 'a number of redemptions');
    if (!limit.ok) local.push(localProblem('usageLimit', limit.message));
    const ends = endsAt ? localInputToIso(endsAt) : undefined;
    if (endsAt && !ends) local.push(localProblem('endsAt', 'Pick a date and time'));
    if (local.length) return setProblems(local);
    const r = await create({
      input: {
        merchantId,
        code: code.trim(),
        name: name.trim() || undefined,
        percentOffBasisPoints: pct?.ok ? pct.value : undefined,
        amountOff: amt?.ok ? { amountMinor: amt.value, currency } : undefined,
        minSubtotal: min?.ok ? { amountMinor: min.value, currency } : undefined,
        endsAt: ends,
        usageLimit: limit.ok ? limit.value : undefined,
      },
      idempotencyKey: attempt,
    });
    if (r.error) return setProblems(serverProblems(r.error));
    setProblems([]);
    setSaved(true);
    setAttempt(newIdempotencyKey());
    setCode('');
    setName('');
    setValue('');
    setMinSubtotal('');
    setEndsAt('');
    setUsageLimit('');
    onCreated();
  }
  const claimed = ['code', 'name', 'percentOffBasisPoints', 'amountOff', 'minSubtotal', 'endsAt', 'usageLimit'];
  const valueProblem = problemAt(problems, off === 'PERCENT' ? 'percentOffBasisPoints' : 'amountOff');
  return (
    <form className="settings-form" aria-label="Create a promotion" onSubmit={submit}>
      <fieldset>
        <legend>New promotion</legend>
        <TextField id="promo-code" label="Code" required value={code} onChange={setCode} hint="Buyers type it in any case." problem={problemAt(problems, 'code')} />
        <TextField id="promo-name" label="Name (optional)" value={name} onChange={setName} problem={problemAt(problems, 'name')} />
        <SelectField id="promo-off" label="Discount" value={off} onChange={setOff} options={[['PERCENT', 'Percent off'], ['AMOUNT', `Amount off (${currency})`]] as const} />
        <TextField id="promo-value" label={off === 'PERCENT' ? 'Percent off (%)' : `Amount off (${currency})`} inputMode="decimal" required value={value} onChange={setValue} problem={valueProblem} />
        <TextField id="promo-min" label={`Minimum subtotal (${currency}, optional)`} inputMode="decimal" value={minSubtotal} onChange={setMinSubtotal} problem={problemAt(problems, 'minSubtotal')} />
        <TextField id="promo-ends" label="Ends (optional)" type="datetime-local" value={endsAt} onChange={setEndsAt} problem={problemAt(problems, 'endsAt')} />
        <TextField id="promo-limit" label="Redemptions in all (optional)" inputMode="numeric" value={usageLimit} onChange={setUsageLimit} problem={problemAt(problems, 'usageLimit')} />
      </fieldset>
      <SaveRow label="Create promotion" busy={fetching} saved={saved} disabled={!code.trim() || !value.trim()}>
        <FormProblems problems={problemsElsewhere(problems, claimed)} />
      </SaveRow>
    </form>
  );
}

export function Promotions({ merchantId, currency, canWrite }: { merchantId: string; currency: string; canWrite: boolean }) {
  const pages = useCursorPages();
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalPromotionsDocument, variables: { merchantId, first: PAGE_SIZE, after: pages.after } });
  const [, update] = useMutation(PortalUpdatePromotionDocument);
  const [problem, setProblem] = useState<string>();
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const promotions = data?.merchant?.promotions;
  return (
    <>
      {canWrite ? <CreatePromotion merchantId={merchantId} currency={currency} onCreated={() => (pages.page === 1 ? refresh() : pages.reset())} /> : null}
      {error && !promotions ? <ErrorState message={errorMessage(error)} onRetry={refresh} /> : null}
      {!data && fetching ? <Loading label="Loading promotions…" /> : null}
      {promotions && promotions.edges.length === 0 ? <Empty title="No promotions yet" /> : null}
      {promotions && promotions.edges.length > 0 ? (
        <table className="table" aria-label="Promotions">
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Name</th>
              <th scope="col">Discount</th>
              <th scope="col">Minimum</th>
              <th scope="col">Ends</th>
              <th scope="col" className="num">Limit</th>
              <th scope="col">Status</th>
              {canWrite ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}
            </tr>
          </thead>
          <tbody>
            {promotions.edges.map(({ node: p }) => (
              <tr key={p.id} data-promotion-id={p.id}>
                <td>{p.code ? <code>{p.code}</code> : <span className="muted">Automatic</span>}</td>
                <td>{p.name ?? '—'}</td>
                <td>{p.percentOffBasisPoints !== null ? `${percentText(p.percentOffBasisPoints)} % off` : p.amountOff ? `${formatMoney(p.amountOff)} off` : '—'}</td>
                <td>{p.minSubtotal ? formatMoney(p.minSubtotal) : '—'}</td>
                <td>{formatWhen(p.endsAt)}</td>
                <td className="num">{p.usageLimit ?? '—'}</td>
                <td>{p.active ? <span className="badge badge-active">Active</span> : <span className="badge badge-canceled">Disabled</span>}</td>
                {canWrite ? (
                  <td>
                    <button
                      type="button"
                      className="button button-secondary"
                      aria-label={`${p.active ? 'Disable' : 'Enable'} ${p.code ?? p.name ?? 'promotion'}`}
                      onClick={async () => {
                        const r = await update({ id: p.id, input: { active: !p.active } });
                        setProblem(r.error ? errorMessage(r.error) ?? 'The promotion could not be changed' : undefined);
                        refresh();
                      }}
                    >
                      {p.active ? 'Disable' : 'Enable'}
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {problem ? <p role="alert" className="form-error">{problem}</p> : null}
      {promotions ? <Pagination pages={pages} pageInfo={promotions.pageInfo} totalCount={promotions.totalCount} label="Promotions" disabled={fetching} /> : null}
    </>
  );
}
