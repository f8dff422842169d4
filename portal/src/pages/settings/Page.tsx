// Settings: commission terms and the conversion flow, checkout (capture mode, attempts, brand), risk rules
// and transaction limits, tax, shipping, promotions, the dunning schedule, and the capabilities Handoff gives the merchant (read only: an admin sets them).
// Owners and developers edit (as the gateway allows: docs/portal-auth.md), but the commission terms and
// the conversion flow only an owner; an analyst reads the same forms disabled, with no save buttons, and the gateway refuses its mutations anyway.
import { useQuery } from 'urql';
import { PortalRiskSettingsDocument, PortalSettingsDocument, type PortalRiskSettingsQuery, type PortalSettingsQuery } from '../../generated/graphql';
import { useCanWrite, useUser } from '../../session/session';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { CheckoutSettings } from './checkout';
import { CommissionForm, ConversionFlowForm } from './commission';
import { DunningForm } from './dunning';
import { TransactionLimitsForm } from './limits';
import { Promotions } from './promotions';
import { RiskRulesForm } from './risk';
import { ShippingForm } from './shipping';
import { TaxForm } from './tax';
import '../../ui/forms.css';

const CAPABILITIES: ReadonlyArray<readonly [keyof Omit<PortalSettingsQuery['checkoutCapabilities'], '__typename'>, string]> = [
  ['hostedPages', 'Hosted payment page'],
  ['threeDSecure', '3-D Secure'],
  ['splitPayments', 'Split shipments and payments'],
  ['installments', 'Instalments'],
  ['giftCards', 'Gift cards'],
];

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className="panel">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** Risk rules (payment-intent subgraph) and transaction limits (merchant subgraph): one query, two sections. */
function RiskSections({ merchantId, currency, canWrite }: { merchantId: string; currency: string; canWrite: boolean }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalRiskSettingsDocument, variables: { merchantId } });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const body = (render: (d: PortalRiskSettingsQuery) => React.ReactNode, label: string) => {
    if (error && !data) return <ErrorState message={errorMessage(error)} onRetry={refresh} />;
    if (!data) return fetching ? <Loading label={label} /> : null;
    return render(data);
  };
  return (
    <>
      <Section id="settings-risk" title="Risk rules">
        {body((d) => <RiskRulesForm merchantId={merchantId} currency={currency} risk={d.riskRules} canWrite={canWrite} onSaved={refresh} />, 'Loading risk rules…')}
      </Section>
      <Section id="settings-limits" title="Transaction limits">
        {body((d) => <TransactionLimitsForm merchantId={merchantId} currency={currency} limits={d.transactionLimits} canWrite={canWrite} onSaved={refresh} />, 'Loading transaction limits…')}
      </Section>
    </>
  );
}

export default function SettingsPage() {
  const user = useUser();
  const canWrite = useCanWrite();
  // The commercial terms agents are paid by are the owner's to change (the merchant subgraph refuses others).
  const canChangeTerms = user.role === 'OWNER';
  const [{ data, fetching, error }, refetch] = useQuery({ query: PortalSettingsDocument, variables: { merchantId: user.merchantId } });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const merchant = data?.merchant;
  return (
    <>
      <div className="page-header">
        <h1>Settings</h1>
        {!canWrite ? <p className="notice">You can read these settings; an owner or a developer changes them.</p> : null}
      </div>
      {error && !data ? <ErrorState message={errorMessage(error)} onRetry={refresh} /> : null}
      {!data && fetching ? <Loading label="Loading settings…" /> : null}
      {data && !merchant ? <Empty title="This merchant’s settings are not available" /> : null}
      {data && merchant ? (
        <>
          <Section id="settings-commission" title="Commission terms">
            {canWrite && !canChangeTerms ? <p className="notice">Only an owner changes the commission terms and the conversion flow.</p> : null}
            <CommissionForm merchant={merchant} canWrite={canChangeTerms} onSaved={refresh} />
          </Section>
          <Section id="settings-flow" title="Conversion flow">
            <ConversionFlowForm merchant={merchant} canWrite={canChangeTerms} onSaved={refresh} />
          </Section>
          <Section id="settings-checkout" title="Checkout">
            <CheckoutSettings merchantId={merchant.id} canWrite={canWrite} />
          </Section>
          <RiskSections merchantId={merchant.id} currency={merchant.defaultCurrency} canWrite={canWrite} />
          <Section id="settings-tax" title="Tax">
            <TaxForm merchantId={merchant.id} tax={merchant.taxConfig} canWrite={canWrite} onSaved={refresh} />
          </Section>
          <Section id="settings-shipping" title="Shipping">
            <ShippingForm merchantId={merchant.id} currency={merchant.defaultCurrency} shipping={merchant.shippingConfig} canWrite={canWrite} onSaved={refresh} />
          </Section>
          <Section id="settings-promotions" title="Promotions">
            <Promotions merchantId={merchant.id} currency={merchant.defaultCurrency} canWrite={canWrite} />
          </Section>
          <Section id="settings-dunning" title="Dunning schedule">
            <DunningForm billing={data.billingSettings} canWrite={canWrite} onSaved={refresh} />
          </Section>
          <Section id="settings-capabilities" title="Capabilities">
            <p className="muted">Handoff enables these for your account; contact support to change them.</p>
            <dl className="tiles">
              {CAPABILITIES.map(([k, label]) => (
                <div className="tile" key={k}>
                  <dt>{label}</dt>
                  <dd>{data.checkoutCapabilities[k] ? 'On' : 'Off'}</dd>
                </div>
              ))}
            </dl>
          </Section>
        </>
      ) : null}
    </>
  );
}
