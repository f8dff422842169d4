// Settings: commission terms and the conversion flow, checkout (capture mode, attempts, brand), tax, shipping, promotions, the dunning
// schedule, and the capabilities Handoff gives the merchant (read only: an admin sets them).
// Owners and developers edit (as the gateway allows: docs/portal-auth.md); an analyst reads the
// same forms disabled, with no save buttons, and the gateway refuses its mutations anyway.
import { useQuery } from 'urql';
import { PortalSettingsDocument, type PortalSettingsQuery } from '../../generated/graphql';
import { useCanWrite, useUser } from '../../session/session';
import { Empty, ErrorState, Loading, errorMessage } from '../../ui/states';
import { CheckoutSettings } from './checkout';
import { CommissionForm, ConversionFlowForm } from './commission';
import { DunningForm } from './dunning';
import { Promotions } from './promotions';
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

export default function SettingsPage() {
  const user = useUser();
  const canWrite = useCanWrite();
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
            <CommissionForm merchant={merchant} canWrite={canWrite} onSaved={refresh} />
          </Section>
          <Section id="settings-flow" title="Conversion flow">
            <ConversionFlowForm merchant={merchant} canWrite={canWrite} onSaved={refresh} />
          </Section>
          <Section id="settings-checkout" title="Checkout">
            <CheckoutSettings merchantId={merchant.id} canWrite={canWrite} />
          </Section>
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
