// Overview: GMV, conversions, commission (accrued and owed), conversion rate and refund rate over
// a date range (UTC days), from the ledger's reporting (commissionSummary) and the checkout KPIs.
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { TimeChart } from '../../charts/TimeChart';
import { PortalOverviewDocument } from '../../generated/graphql';
import { formatMoney, formatMoneyCompact, formatRate } from '../../lib/money';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { lastDays, overviewFigures, rangeVariables, type Range } from './figures';

const PRESETS = [7, 30, 90] as const;

function RangePicker({ range, onChange }: { range: Range; onChange(r: Range): void }) {
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const invalid = !from || !to || from > to;
  function submit(e: FormEvent) {
    e.preventDefault();
    if (!invalid) onChange({ from, to });
  }
  return (
    <form className="range" onSubmit={submit} aria-label="Date range">
      <div className="presets" role="group" aria-label="Quick ranges">
        {PRESETS.map((n) => (
          <button
            key={n}
            type="button"
            className="button button-secondary"
            onClick={() => {
              const r = lastDays(n);
              setFrom(r.from);
              setTo(r.to);
              onChange(r);
            }}
          >
            Last {n} days
          </button>
        ))}
      </div>
      <label htmlFor="range-from">From</label>
      <input id="range-from" type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
      <label htmlFor="range-to">To</label>
      <input id="range-to" type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
      <button type="submit" className="button" disabled={invalid}>
        Apply
      </button>
    </form>
  );
}

function Tile({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="tile">
      <dt>{label}</dt>
      <dd>
        <span className="tile-value">{value}</span>
        {hint ? <span className="tile-hint">{hint}</span> : null}
      </dd>
    </div>
  );
}

export default function OverviewPage() {
  const [range, setRange] = useState<Range>(() => lastDays(30));
  const variables = useMemo(() => rangeVariables(range), [range]);
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalOverviewDocument, variables });
  const figures = useMemo(() => (data ? overviewFigures(data, range) : undefined), [data, range]);
  const count = useCallback((n: number) => Math.round(n).toLocaleString(), []);

  return (
    <>
      <div className="page-header">
        <h1>Overview</h1>
        <RangePicker range={range} onChange={setRange} />
      </div>
      <p className="muted">
        {range.from} to {range.to} (UTC days)
      </p>
      {error && !data ? <ErrorState message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} /> : null}
      {!data && fetching ? <Loading label="Loading figures…" /> : null}
      {figures ? (
        <>
          <section aria-labelledby="overview-kpis" className="panel">
            <h2 id="overview-kpis">Key figures</h2>
            <dl className="tiles">
              <Tile label="Conversions" value={count(figures.conversions)} />
              <Tile label="Conversion rate" value={formatRate(figures.conversionRate)} hint="paid checkouts of those started" />
              <Tile label="Refund rate" value={formatRate(figures.refundRate)} hint="conversions with a refund, full or partial" />
              {figures.currencies.map((c) => (
                <Tile
                  key={`gmv-${c.currency}`}
                  label={`GMV (${c.currency})`}
                  value={formatMoney({ amountMinor: c.gmvMinor, currency: c.currency })}
                  hint={c.refundedMinor ? `${formatMoney({ amountMinor: c.refundedMinor, currency: c.currency })} refunded` : undefined}
                />
              ))}
              {figures.currencies.map((c) => (
                <Tile
                  key={`owed-${c.currency}`}
                  label={`Commission owed (${c.currency})`}
                  value={formatMoney({ amountMinor: c.owedMinor, currency: c.currency })}
                  hint={`${formatMoney({ amountMinor: c.commissionMinor, currency: c.currency })} accrued`}
                />
              ))}
            </dl>
          </section>
          {figures.conversions === 0 ? (
            <Empty title="No conversions in this range">Pick a longer range, or come back once agents have sent buyers your way.</Empty>
          ) : (
            <section aria-labelledby="overview-charts" className="panel charts">
              <h2 id="overview-charts">By day</h2>
              <TimeChart title="Conversions" points={figures.conversionsByDay} format={count} integer />
              {figures.currencies.map((c) => (
                <TimeChart
                  key={`gmv-${c.currency}`}
                  title={`GMV (${c.currency})`}
                  points={c.gmvByDay}
                  format={(v) => formatMoneyCompact({ amountMinor: v, currency: c.currency })}
                />
              ))}
              {figures.currencies.map((c) => (
                <TimeChart
                  key={`commission-${c.currency}`}
                  title={`Commission (${c.currency})`}
                  kind="line"
                  points={c.commissionByDay}
                  format={(v) => formatMoneyCompact({ amountMinor: v, currency: c.currency })}
                />
              ))}
            </section>
          )}
        </>
      ) : null}
    </>
  );
}
