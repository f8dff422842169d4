// Transaction limits, enforced when a checkout commits to paying (a payment beyond one is
// TRANSACTION_LIMIT_EXCEEDED): the most one payment may be, the day's total, and how many
// payments one customer email may make in an hour. setTransactionLimits gets all three; an empty
// field is sent as null, which removes that limit. Amounts are in the merchant's currency.
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { PortalSetTransactionLimitsDocument, type PortalTransactionLimitsFragment } from '../../generated/graphql';
import { formatMoney } from '../../lib/money';
import { SaveRow, TextField } from '../../ui/field';
import { formatWhen } from '../../ui/secrets';
import { FormProblems, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { limitsInput, limitsText, type LimitsText } from './risk-logic';

const FIELDS = ['maxAmountPerPayment', 'maxAmountPerDay', 'maxPaymentsPerEmailPerHour'];

function describe(l: PortalTransactionLimitsFragment): string {
  const parts = [
    l.maxAmountPerPayment ? `at most ${formatMoney(l.maxAmountPerPayment)} a payment` : '',
    l.maxAmountPerDay ? `${formatMoney(l.maxAmountPerDay)} a day` : '',
    l.maxPaymentsPerEmailPerHour !== null ? `${l.maxPaymentsPerEmailPerHour} payment(s) per customer email an hour` : '',
  ].filter(Boolean);
  return parts.length ? `Now: ${parts.join(', ')}` : 'Now: no limits';
}

export function TransactionLimitsForm({ merchantId, currency, limits, canWrite, onSaved }: {
  merchantId: string;
  currency: string;
  limits: PortalTransactionLimitsFragment;
  canWrite: boolean;
  onSaved(): void;
}) {
  const [text, setText] = useState<LimitsText>(() => limitsText(limits));
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [saved, setSaved] = useState(false);
  const [{ fetching }, save] = useMutation(PortalSetTransactionLimitsDocument);
  const set = (patch: Partial<LimitsText>) => setText((t) => ({ ...t, ...patch }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const built = limitsInput(text, currency);
    if (built.problems.length) return setProblems(built.problems);
    const r = await save({ merchantId, input: built.input });
    if (r.error) return setProblems(serverProblems(r.error));
    setProblems([]);
    setSaved(true);
    onSaved();
  }

  return (
    <form className="settings-form" aria-label="Transaction limits" onSubmit={submit}>
      <p className="muted" data-testid="limits-now">
        {describe(limits)}
        {limits.updatedAt ? ` (changed ${formatWhen(limits.updatedAt)}).` : ' (never set).'} A checkout beyond a limit is refused with TRANSACTION_LIMIT_EXCEEDED.
      </p>
      <fieldset disabled={!canWrite}>
        <legend>Limits</legend>
        <TextField id="limits-per-payment" label={`Most per payment (${currency}, optional)`} inputMode="decimal" value={text.maxAmountPerPayment} onChange={(v) => set({ maxAmountPerPayment: v })} hint="Empty: no limit." problem={problemAt(problems, 'maxAmountPerPayment')} />
        <TextField id="limits-per-day" label={`Most per day (${currency}, optional)`} inputMode="decimal" value={text.maxAmountPerDay} onChange={(v) => set({ maxAmountPerDay: v })} hint="All payments of one UTC day; empty: no limit." problem={problemAt(problems, 'maxAmountPerDay')} />
        <TextField id="limits-per-email" label="Payments per customer email per hour (optional)" inputMode="numeric" value={text.maxPaymentsPerEmailPerHour} onChange={(v) => set({ maxPaymentsPerEmailPerHour: v })} hint="1 to 10000; empty: no limit." problem={problemAt(problems, 'maxPaymentsPerEmailPerHour')} />
      </fieldset>
      {canWrite ? (
        <SaveRow label="Save transaction limits" busy={fetching} saved={saved}>
          <FormProblems problems={problemsElsewhere(problems, FIELDS)} />
        </SaveRow>
      ) : null}
    </form>
  );
}
