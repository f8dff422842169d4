// The dunning schedule failed renewals follow: the retry days after a failed period's start and
// what the subscription becomes after the last retry (setDunningSettings; INVALID_DUNNING_SCHEDULE
// with the field it names when the server cannot take it).
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { PortalSetDunningSettingsDocument, type PortalSettingsQuery } from '../../generated/graphql';
import { SaveRow, SelectField, TextField } from '../../ui/field';
import { formatWhen } from '../../ui/secrets';
import { FormProblems, localProblem, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { parseDayList } from './settings-logic';

type Billing = PortalSettingsQuery['billingSettings'];
const FINAL: ReadonlyArray<readonly [string, string]> = [['UNPAID', 'Unpaid (kept, not renewed)'], ['CANCELED', 'Canceled']];

export function DunningForm({ billing, canWrite, onSaved }: { billing: Billing; canWrite: boolean; onSaved(): void }) {
  const [days, setDays] = useState(billing.dunning.retryDays.join(', '));
  const [finalStatus, setFinalStatus] = useState(billing.dunning.finalStatus);
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [saved, setSaved] = useState(false);
  const [{ fetching }, save] = useMutation(PortalSetDunningSettingsDocument);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const parsed = parseDayList(days);
    if (!parsed.ok) return setProblems([localProblem('retryDays', parsed.message)]);
    const r = await save({ input: { retryDays: parsed.value, finalStatus } });
    if (r.error) return setProblems(serverProblems(r.error));
    setProblems([]);
    setSaved(true);
    onSaved();
  }
  return (
    <form className="settings-form" aria-label="Dunning schedule" onSubmit={submit}>
      <p className="muted">
        Now: retries {billing.dunning.retryDays.join(', ')} days after a failed period’s start, then {billing.dunning.finalStatus.toLowerCase()}
        {billing.updatedAt ? ` (changed ${formatWhen(billing.updatedAt)})` : ' (the default)'}.
      </p>
      <fieldset disabled={!canWrite}>
        <legend>Retries</legend>
        <TextField id="dunning-days" label="Retry days" value={days} onChange={setDays} hint="Days after the period’s start, strictly increasing, 1 to 10 retries, each 1 to 60." problem={problemAt(problems, 'retryDays')} />
        <SelectField id="dunning-final" label="After the last retry fails" value={finalStatus} onChange={setFinalStatus} options={FINAL} problem={problemAt(problems, 'finalStatus')} />
      </fieldset>
      {canWrite ? (
        <SaveRow label="Save dunning schedule" busy={fetching} saved={saved}>
          <FormProblems problems={problemsElsewhere(problems, ['retryDays', 'finalStatus'])} />
        </SaveRow>
      ) : null}
    </form>
  );
}
