// Shipping: zones (a name and its countries; regions kept as they are) and each zone's rates
// (label, flat or per item, amount, free over, delivery days). setShippingConfig replaces the
// whole configuration, so pickup locations and the fields this form does not edit (regions,
// carrier, service code, ids) are sent back as they were. The ids the server makes for new zones
// and rates reach the form with the page's next read (onSaved): they are adopted by the rows that
// were sent, so a second save keeps them (a checkout that chose an option still finds it offered).
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { PortalSetShippingConfigDocument, type PortalSettingsQuery, type ShippingRateKind } from '../../generated/graphql';
import { SaveRow, SelectField, TextField } from '../../ui/field';
import { FormProblems, localProblem, problemAt, problemsElsewhere, serverProblems, type ServerProblem } from '../../ui/server-errors';
import { moneyText, parseCodeList, parseMoneyText, parseWholeText } from './settings-logic';

type Shipping = NonNullable<NonNullable<PortalSettingsQuery['merchant']>['shippingConfig']>;
type ZoneIn = Shipping['zones'][number];
type RateIn = ZoneIn['rates'][number];
interface RateRow { key: number; original?: RateIn; label: string; kind: ShippingRateKind; amount: string; freeOver: string; minDays: string; maxDays: string }
interface ZoneRow { key: number; original?: ZoneIn; name: string; countries: string; rates: RateRow[] }

let nextKey = 1;
const rateRow = (currency: string, r?: RateIn): RateRow => ({
  key: nextKey++,
  original: r,
  label: r?.label ?? '',
  kind: r?.kind ?? 'FLAT',
  amount: r ? moneyText(r.amount.amountMinor, currency) : '',
  freeOver: r?.freeOver ? moneyText(r.freeOver.amountMinor, currency) : '',
  minDays: r?.minDays !== null && r?.minDays !== undefined ? String(r.minDays) : '',
  maxDays: r?.maxDays !== null && r?.maxDays !== undefined ? String(r.maxDays) : '',
});
const zoneRow = (currency: string, z?: ZoneIn): ZoneRow => ({ key: nextKey++, original: z, name: z?.name ?? '', countries: z?.countries.join(', ') ?? '', rates: (z?.rates ?? []).map((r) => rateRow(currency, r)) });
/** The rows of a save, by key in the order sent (the server keeps the order). */
interface Sent { before: string | null | undefined; zones: Array<{ key: number; rates: number[] }> }

/** `rows` with the stored zones and rates as their originals (ids), matched by the order they were sent in; edits kept. */
function adoptStored(rows: ZoneRow[], sent: Sent['zones'], stored: readonly ZoneIn[]): ZoneRow[] {
  if (sent.length !== stored.length) return rows;
  return rows.map((z) => {
    const i = sent.findIndex((s) => s.key === z.key);
    const zone = stored[i];
    const keys = sent[i]?.rates;
    if (!zone || !keys || keys.length !== zone.rates.length) return z;
    return {
      ...z,
      original: zone,
      rates: z.rates.map((r) => {
        const rate = zone.rates[keys.indexOf(r.key)];
        return rate ? { ...r, original: rate } : r;
      }),
    };
  });
}

const KINDS: ReadonlyArray<readonly [ShippingRateKind, string]> = [['FLAT', 'Per order'], ['PER_ITEM', 'Per item']];

export function ShippingForm({ merchantId, currency, shipping, canWrite, onSaved }: { merchantId: string; currency: string; shipping: Shipping | null; canWrite: boolean; onSaved(): void }) {
  const [zones, setZones] = useState<ZoneRow[]>(() => (shipping?.zones ?? []).map((z) => zoneRow(currency, z)));
  const [problems, setProblems] = useState<ServerProblem[]>([]);
  const [saved, setSaved] = useState(false);
  const [{ fetching }, save] = useMutation(PortalSetShippingConfigDocument);
  const sent = useRef<Sent | undefined>(undefined);
  useEffect(() => {
    const s = sent.current;
    if (!s || !shipping || shipping.updatedAt === s.before) return;
    sent.current = undefined;
    setZones((zs) => adoptStored(zs, s.zones, shipping.zones));
  }, [shipping]);
  const setZone = (key: number, patch: Partial<ZoneRow>) => setZones((zs) => zs.map((z) => (z.key === key ? { ...z, ...patch } : z)));
  const setRate = (zone: ZoneRow, key: number, patch: Partial<RateRow>) => setZone(zone.key, { rates: zone.rates.map((r) => (r.key === key ? { ...r, ...patch } : r)) });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const local: ServerProblem[] = [];
    const money = (text: string, field: string) => {
      if (!text.trim()) return undefined;
      const p = parseMoneyText(text, currency);
      if (!p.ok) local.push(localProblem(field, p.message));
      return p.ok ? { amountMinor: p.value, currency } : undefined;
    };
    const whole = (text: string, field: string) => {
      const p = parseWholeText(text, 'a whole number of days');
      if (!p.ok) local.push(localProblem(field, p.message));
      return p.ok ? p.value : undefined;
    };
    const input = {
      zones: zones.map((z, zi) => ({
        id: z.original?.id,
        name: z.name.trim(),
        countries: parseCodeList(z.countries),
        regions: z.original?.regions.map((r) => ({ country: r.country, region: r.region })),
        rates: z.rates.map((r, ri) => {
          const at = `zones[${zi}].rates[${ri}]`;
          return {
            id: r.original?.id,
            label: r.label.trim(),
            kind: r.kind,
            amount: money(r.amount, `${at}.amount`) ?? { amountMinor: 0, currency },
            freeOver: money(r.freeOver, `${at}.freeOver`),
            carrier: r.original?.carrier ?? undefined,
            serviceCode: r.original?.serviceCode ?? undefined,
            minDays: whole(r.minDays, `${at}.minDays`),
            maxDays: whole(r.maxDays, `${at}.maxDays`),
          };
        }),
      })),
      pickupLocations: (shipping?.pickupLocations ?? []).map((p) => ({
        id: p.id,
        name: p.name,
        address: { line1: p.address.line1, line2: p.address.line2 ?? undefined, city: p.address.city, state: p.address.state ?? undefined, postalCode: p.address.postalCode ?? undefined, country: p.address.country },
        openingHours: p.openingHours.map((h) => ({ day: h.day, opens: h.opens, closes: h.closes })),
      })),
    };
    if (local.length) return setProblems(local);
    const r = await save({ merchantId, input });
    if (r.error) return setProblems(serverProblems(r.error));
    sent.current = { before: shipping?.updatedAt, zones: zones.map((z) => ({ key: z.key, rates: z.rates.map((x) => x.key) })) };
    setProblems([]);
    setSaved(true);
    onSaved();
  }

  const claimed: string[] = [];
  return (
    <form className="settings-form" aria-label="Shipping" onSubmit={submit}>
      {zones.length === 0 ? <p className="muted">No shipping zones: buyers are offered no shipping option.</p> : null}
      {zones.map((z, zi) => {
        const at = `zones[${zi}]`;
        claimed.push(`${at}.name`, `${at}.countries`);
        return (
          <fieldset key={z.key} disabled={!canWrite} data-shipping-zone={zi} data-zone-id={z.original?.id}>
            <legend>Zone {zi + 1}{z.name ? `: ${z.name}` : ''}</legend>
            <TextField id={`zone-${z.key}-name`} label="Zone name" value={z.name} onChange={(v) => setZone(z.key, { name: v })} problem={problemAt(problems, `${at}.name`)} />
            <TextField id={`zone-${z.key}-countries`} label="Countries" wide value={z.countries} onChange={(v) => setZone(z.key, { countries: v })} hint="ISO codes separated by commas, e.g. GB, IE." problem={problemAt(problems, `${at}.countries`)} />
            {z.rates.map((r, ri) => {
              const rat = `${at}.rates[${ri}]`;
              claimed.push(...['label', 'amount', 'freeOver', 'minDays', 'maxDays'].map((f) => `${rat}.${f}`));
              const id = `zone-${z.key}-rate-${r.key}`;
              return (
                <div className="row" key={r.key} role="group" aria-label={`Zone ${zi + 1} rate ${ri + 1}`}>
                  <TextField id={`${id}-label`} label="Rate label" value={r.label} onChange={(v) => setRate(z, r.key, { label: v })} problem={problemAt(problems, `${rat}.label`)} />
                  <SelectField id={`${id}-kind`} label="Charged" value={r.kind} onChange={(v) => setRate(z, r.key, { kind: v })} options={KINDS} />
                  <TextField id={`${id}-amount`} label={`Amount (${currency})`} inputMode="decimal" value={r.amount} onChange={(v) => setRate(z, r.key, { amount: v })} problem={problemAt(problems, `${rat}.amount`)} />
                  <TextField id={`${id}-free`} label={`Free over (${currency}, optional)`} inputMode="decimal" value={r.freeOver} onChange={(v) => setRate(z, r.key, { freeOver: v })} problem={problemAt(problems, `${rat}.freeOver`)} />
                  <TextField id={`${id}-min`} label="Min days" inputMode="numeric" value={r.minDays} onChange={(v) => setRate(z, r.key, { minDays: v })} problem={problemAt(problems, `${rat}.minDays`)} />
                  <TextField id={`${id}-max`} label="Max days" inputMode="numeric" value={r.maxDays} onChange={(v) => setRate(z, r.key, { maxDays: v })} problem={problemAt(problems, `${rat}.maxDays`)} />
                  {canWrite ? <button type="button" className="button button-secondary" onClick={() => setZone(z.key, { rates: z.rates.filter((x) => x.key !== r.key) })}>Remove rate</button> : null}
                </div>
              );
            })}
            {canWrite ? (
              <div className="row">
                <button type="button" className="button button-secondary" onClick={() => setZone(z.key, { rates: [...z.rates, rateRow(currency)] })}>Add a rate</button>
                <button type="button" className="button button-secondary" onClick={() => setZones((zs) => zs.filter((x) => x.key !== z.key))}>Remove zone</button>
              </div>
            ) : null}
          </fieldset>
        );
      })}
      {canWrite ? (
        <>
          <div className="row">
            <button type="button" className="button button-secondary" onClick={() => setZones((zs) => [...zs, { ...zoneRow(currency), rates: [rateRow(currency)] }])}>Add a zone</button>
          </div>
          <SaveRow label="Save shipping" busy={fetching} saved={saved}>
            <FormProblems problems={problemsElsewhere(problems, claimed)} />
          </SaveRow>
        </>
      ) : null}
      {(shipping?.pickupLocations.length ?? 0) > 0 ? <p className="muted">{shipping!.pickupLocations.length} pickup location(s) are kept as they are (set them through the API).</p> : null}
    </form>
  );
}
