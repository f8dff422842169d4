// Checkout settings: the default capture mode of new sessions, the payment attempts a session may
// make, and the brand the hosted page shows (setCheckoutSettings changes the fields given; an
// empty field is sent as null, which puts it back to its default).
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { PortalCheckoutSettingsDocument, PortalSetCheckoutSettingsDocument, type CaptureMode, type PortalCheckoutSettingsFragment } from '../../generated/graphql';
import { SaveRow, SelectField, TextField } from '../../ui/field';
import { formatWhen } from '../../ui/secrets';
import { FormProblems, localProblem, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { ErrorState, Loading, errorMessage } from '../../ui/states';
import { parseWholeText } from './settings-logic';

const MODES: ReadonlyArray<readonly [CaptureMode, string]> = [['AUTOMATIC', 'Automatic (charge at once)'], ['MANUAL', 'Manual (authorise, capture later)']];
const FIELDS = ['defaultCaptureMode', 'maxPaymentAttempts', 'branding.displayName', 'branding.accentColor', 'branding.logoUrl'];

function CheckoutForm({ merchantId, settings, canWrite }: { merchantId: string; settings: PortalCheckoutSettingsFragment; canWrite: boolean }) {
  const [mode, setMode] = useState<CaptureMode>(settings.defaultCaptureMode);
  const [attempts, setAttempts] = useState(settings.maxPaymentAttempts === null ? '' : String(settings.maxPaymentAttempts));
  const [displayName, setDisplayName] = useState(settings.branding.displayName ?? '');
  const [accent, setAccent] = useState(settings.branding.accentColor ?? '');
  const [logoUrl, setLogoUrl] = useState(settings.branding.logoUrl ?? '');
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [saved, setSaved] = useState(false);
  const [{ fetching }, save] = useMutation(PortalSetCheckoutSettingsDocument);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const max = parseWholeText(attempts, 'a number of attempts');
    if (!max.ok) return setProblems([localProblem('maxPaymentAttempts', max.message)]);
    const orNull = (v: string) => v.trim() || null;
    const r = await save({
      merchantId,
      input: {
        defaultCaptureMode: mode,
        maxPaymentAttempts: max.value ?? null,
        branding: { displayName: orNull(displayName), accentColor: orNull(accent), logoUrl: orNull(logoUrl) },
      },
    });
    if (r.error) return setProblems(serverProblems(r.error));
    setProblems([]);
    setSaved(true);
  }
  return (
    <form className="settings-form" aria-label="Checkout" onSubmit={submit}>
      <p className="muted">{settings.updatedAt ? `Changed ${formatWhen(settings.updatedAt)}.` : 'The defaults: nothing set yet.'}</p>
      <fieldset disabled={!canWrite}>
        <legend>Payments</legend>
        <SelectField id="checkout-capture" label="Default capture mode" value={mode} onChange={setMode} options={MODES} problem={problemAt(problems, 'defaultCaptureMode')} />
        <TextField id="checkout-attempts" label="Payment attempts per session (optional)" inputMode="numeric" value={attempts} onChange={setAttempts} hint="1 to 100; empty: no limit." problem={problemAt(problems, 'maxPaymentAttempts')} />
      </fieldset>
      <fieldset disabled={!canWrite}>
        <legend>Hosted page brand</legend>
        <TextField id="checkout-display-name" label="Display name (optional)" value={displayName} onChange={setDisplayName} hint="Empty: the merchant’s name." problem={problemAt(problems, 'branding.displayName')} />
        <TextField id="checkout-accent" label="Accent colour (optional)" value={accent} onChange={setAccent} placeholder="#1d4ed8" hint="#rrggbb; empty: Handoff’s." problem={problemAt(problems, 'branding.accentColor')} />
        <TextField id="checkout-logo" label="Logo URL (optional)" type="url" wide value={logoUrl} onChange={setLogoUrl} placeholder="https://…" problem={problemAt(problems, 'branding.logoUrl')} />
      </fieldset>
      {canWrite ? (
        <SaveRow label="Save checkout settings" busy={fetching} saved={saved}>
          <FormProblems problems={problemsElsewhere(problems, FIELDS)} />
        </SaveRow>
      ) : null}
    </form>
  );
}

export function CheckoutSettings({ merchantId, canWrite }: { merchantId: string; canWrite: boolean }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalCheckoutSettingsDocument, variables: { merchantId } });
  if (error && !data) return <ErrorState message={errorMessage(error)} onRetry={() => refetch({ requestPolicy: 'network-only' })} />;
  if (!data) return fetching ? <Loading label="Loading checkout settings…" /> : null;
  return <CheckoutForm merchantId={merchantId} settings={data.checkoutSettings} canWrite={canWrite} />;
}
