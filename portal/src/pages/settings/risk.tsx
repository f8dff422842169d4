// Risk rules: the score thresholds (challenge, review, block), the amount above which a buyer's
// identity must be verified, and the merchant's rules, each of a kind (velocity, amount above,
// country mismatch, block/allow list, decline ratio) with the fields that kind takes. setRiskRules
// replaces the whole configuration, so the form sends every rule it shows; the server answers
// BAD_USER_INPUT naming the field ("rules[1].windowSeconds"), shown beside that input.
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { PortalSetRiskRulesDocument, type PortalRiskRulesFragment } from '../../generated/graphql';
import { SaveRow, SelectField, TextField } from '../../ui/field';
import { formatWhen } from '../../ui/secrets';
import { FormProblems, fieldIn, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import {
  ACTIONS,
  ALL_SIGNALS,
  COUNTED_SIGNALS,
  COUNTRY_PAIRS,
  RULE_TYPES,
  RULE_USES,
  isList,
  riskRulesInput,
  ruleRow,
  thresholdText,
  type RuleRow,
  type ThresholdText,
} from './risk-logic';

const THRESHOLDS = ['challengeAt', 'reviewAt', 'blockAt', 'kycRequiredAbove'];
const RULE_FIELDS = ['id', 'type', 'enabled', 'score', 'action', 'signal', 'windowSeconds', 'maxPayments', 'amount', 'countries', 'values', 'maxRatioBps', 'minAttempts'];

function RuleFields({ row, at, problems, canWrite, onChange, onRemove, index }: {
  row: RuleRow;
  at: string;
  index: number;
  problems: readonly ServerProblem[];
  canWrite: boolean;
  onChange(patch: Partial<RuleRow>): void;
  onRemove(): void;
}) {
  const uses = RULE_USES[row.type];
  const id = `risk-rule-${row.key}`;
  const p = (f: string) => problemAt(problems, `${at}.${f}`);
  const mine = problems.filter((x) => fieldIn(x.field, at));
  return (
    <fieldset disabled={!canWrite} data-risk-rule={index}>
      <legend>Rule {index + 1}{row.id ? `: ${row.id}` : ''}</legend>
      <FormProblems problems={problemsElsewhere(mine, RULE_FIELDS.map((f) => `${at}.${f}`))} />
      <TextField id={`${id}-id`} label="Rule name" value={row.id} onChange={(v) => onChange({ id: v })} hint="Lower case letters, digits, _ or -." problem={p('id')} />
      <SelectField id={`${id}-type`} label="Kind" value={row.type} onChange={(v) => onChange({ type: v })} options={RULE_TYPES} problem={p('type')} />
      <label className="checkbox">
        <input type="checkbox" checked={row.enabled} onChange={(e) => onChange({ enabled: e.target.checked })} /> Enabled
      </label>
      <TextField id={`${id}-score`} label="Score (0-100)" inputMode="numeric" value={row.score} onChange={(v) => onChange({ score: v })} problem={p('score')} />
      {!isList(row.type) ? <SelectField id={`${id}-action`} label="Action when it matches" value={row.action} onChange={(v) => onChange({ action: v })} options={ACTIONS} problem={p('action')} /> : null}
      {uses.includes('signal') ? (
        <SelectField id={`${id}-signal`} label={isList(row.type) ? 'List of' : 'Counted by'} value={row.signal} onChange={(v) => onChange({ signal: v })} options={isList(row.type) ? ALL_SIGNALS : COUNTED_SIGNALS} problem={p('signal')} />
      ) : null}
      {uses.includes('windowSeconds') ? <TextField id={`${id}-window`} label="Window (seconds)" inputMode="numeric" value={row.windowSeconds} onChange={(v) => onChange({ windowSeconds: v })} hint="60 to 2592000 (30 days)." problem={p('windowSeconds')} /> : null}
      {uses.includes('maxPayments') ? <TextField id={`${id}-max-payments`} label="Payments allowed in the window" inputMode="numeric" value={row.maxPayments} onChange={(v) => onChange({ maxPayments: v })} problem={p('maxPayments')} /> : null}
      {uses.includes('amount') ? <TextField id={`${id}-amount`} label={`Matches above (${row.currency})`} inputMode="decimal" value={row.amount} onChange={(v) => onChange({ amount: v })} problem={p('amount')} /> : null}
      {uses.includes('countries') ? <SelectField id={`${id}-countries`} label="Countries compared" value={row.countries} onChange={(v) => onChange({ countries: v })} options={COUNTRY_PAIRS} problem={p('countries')} /> : null}
      {uses.includes('values') ? <TextField id={`${id}-values`} label="Values" wide value={row.values} onChange={(v) => onChange({ values: v })} hint="Separated by commas or spaces (1 to 1000)." problem={p('values')} /> : null}
      {uses.includes('maxRatioBps') ? <TextField id={`${id}-ratio`} label="Declined share above (basis points)" inputMode="numeric" value={row.maxRatioBps} onChange={(v) => onChange({ maxRatioBps: v })} hint="0 to 10000 (5000 = 50 %)." problem={p('maxRatioBps')} /> : null}
      {uses.includes('minAttempts') ? <TextField id={`${id}-min-attempts`} label="Attempts before it applies (optional)" inputMode="numeric" value={row.minAttempts} onChange={(v) => onChange({ minAttempts: v })} problem={p('minAttempts')} /> : null}
      {canWrite ? (
        <button type="button" className="button button-secondary" onClick={onRemove} aria-label={`Remove rule ${index + 1}`}>
          Remove rule
        </button>
      ) : null}
    </fieldset>
  );
}

export function RiskRulesForm({ merchantId, currency, risk, canWrite, onSaved }: {
  merchantId: string;
  currency: string;
  risk: PortalRiskRulesFragment;
  canWrite: boolean;
  onSaved(): void;
}) {
  const [rows, setRows] = useState<RuleRow[]>(() => risk.rules.map((r) => ruleRow(currency, r)));
  const [thresholds, setThresholds] = useState<ThresholdText>(() => thresholdText(risk));
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [saved, setSaved] = useState(false);
  const [{ fetching }, save] = useMutation(PortalSetRiskRulesDocument);
  const setT = (patch: Partial<ThresholdText>) => setThresholds((t) => ({ ...t, ...patch }));
  const setRow = (key: number, patch: Partial<RuleRow>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const kycCurrency = risk.kycRequiredAbove?.currency ?? currency;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const built = riskRulesInput(rows, thresholds, kycCurrency);
    if (built.problems.length) return setProblems(built.problems);
    const r = await save({ merchantId, input: built.input });
    if (r.error) return setProblems(serverProblems(r.error));
    setProblems([]);
    setSaved(true);
    onSaved();
  }

  const enabled = risk.rules.filter((r) => r.enabled).length;
  return (
    <form className="settings-form" aria-label="Risk rules" onSubmit={submit}>
      <p className="muted" data-testid="risk-now">
        Now: {risk.rules.length} rule(s), {enabled} enabled
        {risk.updatedAt ? ` (version ${risk.version}, changed ${formatWhen(risk.updatedAt)}).` : ' (never set).'} A payment’s score is the sum of the points of the rules it matches.
      </p>
      <fieldset disabled={!canWrite}>
        <legend>Score thresholds</legend>
        <TextField id="risk-challenge-at" label="Challenge at score (optional)" inputMode="numeric" value={thresholds.challengeAt} onChange={(v) => setT({ challengeAt: v })} hint="1 to 100: 3-D Secure from this score." problem={problemAt(problems, 'challengeAt')} />
        <TextField id="risk-review-at" label="Review at score (optional)" inputMode="numeric" value={thresholds.reviewAt} onChange={(v) => setT({ reviewAt: v })} hint="Manual review; not below the challenge score." problem={problemAt(problems, 'reviewAt')} />
        <TextField id="risk-block-at" label="Block at score (optional)" inputMode="numeric" value={thresholds.blockAt} onChange={(v) => setT({ blockAt: v })} hint="Refused; not below the review score." problem={problemAt(problems, 'blockAt')} />
        <TextField id="risk-kyc-above" label={`Identity check above (${kycCurrency}, optional)`} inputMode="decimal" value={thresholds.kycRequiredAbove} onChange={(v) => setT({ kycRequiredAbove: v })} hint="Empty: never." problem={problemAt(problems, 'kycRequiredAbove')} />
      </fieldset>
      {rows.length === 0 ? <p className="muted">No rules: payments are scored 0.</p> : null}
      {rows.map((row, i) => (
        <RuleFields
          key={row.key}
          row={row}
          at={`rules[${i}]`}
          index={i}
          problems={problems}
          canWrite={canWrite}
          onChange={(patch) => setRow(row.key, patch)}
          onRemove={() => setRows((rs) => rs.filter((x) => x.key !== row.key))}
        />
      ))}
      {canWrite ? (
        <>
          <div className="row">
            <button type="button" className="button button-secondary" onClick={() => setRows((rs) => [...rs, ruleRow(currency)])}>
              Add a rule
            </button>
          </div>
          <SaveRow label="Save risk rules" busy={fetching} saved={saved}>
            <FormProblems problems={problemsElsewhere(problems, [...THRESHOLDS, ...rows.map((_, i) => `rules[${i}]`)])} />
          </SaveRow>
        </>
      ) : null}
    </form>
  );
}
