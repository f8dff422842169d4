// Commission terms (type, CPA amount in the merchant's currency, percentage, which subscription
// periods earn) with the validation period, and the conversion flow. Both save through
// updateMerchant; the server's refusals show beside the field they name.
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { PortalUpdateMerchantTermsDocument, type CommissionType, type PortalSettingsQuery, type RecurringCommissionRule } from '../../generated/graphql';
import { formatMoney } from '../../lib/money';
import { SaveRow, SelectField, TextField } from '../../ui/field';
import { FormProblems, localProblem, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { describeTerms, moneyText, parseMoneyText, parsePercentText, parseWholeText, parseWordList, percentText } from './settings-logic';

type Merchant = NonNullable<PortalSettingsQuery['merchant']>;

const TYPES: ReadonlyArray<readonly [CommissionType, string]> = [
  ['CPA', 'Fixed amount per conversion (CPA)'],
  ['PERCENTAGE', 'Percentage of the transaction'],
  ['HYBRID', 'Both (hybrid)'],
];
const RULES: ReadonlyArray<readonly [RecurringCommissionRule, string]> = [
  ['FIRST_PAYMENT_ONLY', 'The first payment only'],
  ['EVERY_RENEWAL', 'Every renewal, up to a number of periods'],
  ['MILESTONE', 'Once, when a given period is paid'],
];
const FIELDS = ['commissionTerms.type', 'commissionTerms.cpa', 'commissionTerms.percentageBps', 'commissionTerms.recurring', 'validationPeriodDays'];

export function CommissionForm({ merchant, canWrite, onSaved }: { merchant: Merchant; canWrite: boolean; onSaved(): void }) {
  const currency = merchant.defaultCurrency;
  const terms = merchant.commissionTerms;
  const [type, setType] = useState<CommissionType>(terms.type);
  const [cpa, setCpa] = useState(terms.cpa ? moneyText(terms.cpa.amountMinor, currency) : '');
  const [percent, setPercent] = useState(terms.percentageBps !== null ? percentText(terms.percentageBps) : '');
  const [rule, setRule] = useState<RecurringCommissionRule>(terms.recurring.rule);
  const [periods, setPeriods] = useState(String(terms.recurring.periods ?? terms.recurring.paidPeriod ?? ''));
  const [validationDays, setValidationDays] = useState(String(merchant.validationPeriodDays));
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [saved, setSaved] = useState(false);
  const [{ fetching }, update] = useMutation(PortalUpdateMerchantTermsDocument);
  const usesCpa = type !== 'PERCENTAGE';
  const usesPercent = type !== 'CPA';

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const local: ServerProblem[] = [];
    const cpaParsed = usesCpa ? parseMoneyText(cpa, currency) : undefined;
    if (cpaParsed && !cpaParsed.ok) local.push(localProblem('commissionTerms.cpa', cpaParsed.message));
    const pctParsed = usesPercent ? parsePercentText(percent) : undefined;
    if (pctParsed && !pctParsed.ok) local.push(localProblem('commissionTerms.percentageBps', pctParsed.message));
    const periodParsed = rule === 'FIRST_PAYMENT_ONLY' ? undefined : parseWholeText(periods, 'a number of periods');
    if (periodParsed && !periodParsed.ok) local.push(localProblem('commissionTerms.recurring', periodParsed.message));
    const daysParsed = parseWholeText(validationDays, 'a number of days');
    if (!daysParsed.ok) local.push(localProblem('validationPeriodDays', daysParsed.message));
    if (local.length) return setProblems(local);
    const n = periodParsed?.ok ? periodParsed.value : undefined;
    const r = await update({
      id: merchant.id,
      input: {
        commissionTerms: {
          type,
          cpa: cpaParsed?.ok ? { amountMinor: cpaParsed.value, currency } : undefined,
          percentageBps: pctParsed?.ok ? pctParsed.value : undefined,
          recurring: { rule, periods: rule === 'EVERY_RENEWAL' ? n : undefined, paidPeriod: rule === 'MILESTONE' ? n : undefined },
        },
        validationPeriodDays: daysParsed.ok ? daysParsed.value : undefined,
      },
    });
    if (r.error) return setProblems(serverProblems(r.error));
    setProblems([]);
    setSaved(true);
    onSaved();
  }

  return (
    <form className="settings-form" aria-label="Commission terms" onSubmit={submit}>
      <p className="muted">
        Now: {describeTerms(terms, (m) => formatMoney(m))}; conversions validate after {merchant.validationPeriodDays} days.
      </p>
      <fieldset disabled={!canWrite}>
        <legend>Commission</legend>
        <SelectField id="commission-type" label="Commission type" value={type} onChange={setType} options={TYPES} problem={problemAt(problems, 'commissionTerms.type')} />
        {usesCpa ? (
          <TextField id="commission-cpa" label={`Amount per conversion (${currency})`} inputMode="decimal" value={cpa} onChange={setCpa} problem={problemAt(problems, 'commissionTerms.cpa')} />
        ) : null}
        {usesPercent ? (
          <TextField id="commission-percentage" label="Percentage of the transaction (%)" inputMode="decimal" value={percent} onChange={setPercent} hint="Up to two decimals: 2.25 is 225 basis points." problem={problemAt(problems, 'commissionTerms.percentageBps')} />
        ) : null}
        <TextField id="validation-period" label="Validation period (days)" inputMode="numeric" value={validationDays} onChange={setValidationDays} hint="Days a conversion waits before it validates (0 to 365)." problem={problemAt(problems, 'validationPeriodDays')} />
      </fieldset>
      <fieldset disabled={!canWrite}>
        <legend>Subscriptions</legend>
        <SelectField id="commission-recurring" label="Which paid periods earn commission" value={rule} onChange={setRule} options={RULES} />
        {rule !== 'FIRST_PAYMENT_ONLY' ? (
          <TextField
            id="commission-periods"
            label={rule === 'EVERY_RENEWAL' ? 'Number of periods' : 'The paid period that earns'}
            inputMode="numeric"
            value={periods}
            onChange={setPeriods}
            problem={problemAt(problems, 'commissionTerms.recurring')}
          />
        ) : null}
      </fieldset>
      {canWrite ? (
        <SaveRow label="Save commission terms" busy={fetching} saved={saved}>
          <FormProblems problems={problemsElsewhere(problems, FIELDS)} />
        </SaveRow>
      ) : null}
    </form>
  );
}

const FLOWS: ReadonlyArray<readonly [string, string]> = [
  ['instant_checkout', 'Instant checkout'],
  ['quote_application', 'Quote, then application'],
  ['install_activation', 'Install, then activation'],
  ['policy_start', 'Policy start'],
  ['custom', 'Custom steps'],
];

export function ConversionFlowForm({ merchant, canWrite, onSaved }: { merchant: Merchant; canWrite: boolean; onSaved(): void }) {
  const flow = merchant.conversionFlow;
  const [type, setType] = useState(flow.type);
  const [steps, setSteps] = useState(flow.type === 'custom' ? flow.steps.join(', ') : '');
  const [payableAfter, setPayableAfter] = useState(flow.payableAfter ?? '');
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [saved, setSaved] = useState(false);
  const [{ fetching }, update] = useMutation(PortalUpdateMerchantTermsDocument);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const r = await update({
      id: merchant.id,
      input: { conversionFlow: { type, steps: type === 'custom' ? parseWordList(steps) : undefined, payableAfter: payableAfter.trim() || undefined } },
    });
    if (r.error) return setProblems(serverProblems(r.error));
    setProblems([]);
    setSaved(true);
    onSaved();
  }
  const fields = ['conversionFlow.type', 'conversionFlow.steps', 'conversionFlow.payableAfter'];
  return (
    <form className="settings-form" aria-label="Conversion flow" onSubmit={submit}>
      <p className="muted">
        Now: {flow.steps.join(' → ')}; commission payable after <strong>{flow.payableAfter ?? flow.steps[flow.steps.length - 1]}</strong>.
      </p>
      <fieldset disabled={!canWrite}>
        <legend>Flow</legend>
        <SelectField id="flow-type" label="Flow" value={type} onChange={(t) => { setType(t); setPayableAfter(''); }} options={FLOWS} problem={problemAt(problems, 'conversionFlow.type')} />
        {type === 'custom' ? (
          <TextField id="flow-steps" label="Steps" wide value={steps} onChange={setSteps} hint="1 to 20 snake_case step names, separated by commas." problem={problemAt(problems, 'conversionFlow.steps')} />
        ) : null}
        <TextField id="flow-payable-after" label="Payable after step (optional)" value={payableAfter} onChange={setPayableAfter} hint="Empty: the last step." problem={problemAt(problems, 'conversionFlow.payableAfter')} />
      </fieldset>
      {canWrite ? (
        <SaveRow label="Save conversion flow" busy={fetching} saved={saved}>
          <FormProblems problems={problemsElsewhere(problems, fields)} />
        </SaveRow>
      ) : null}
    </form>
  );
}
