import type { HandoffError } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { validateShippingConfig, type ShippingConfigSpec } from './shipping-config.validation.js';

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });
const base = (): ShippingConfigSpec => ({
  zones: [{ id: 'uk', name: 'UK', countries: ['gb'], rates: [{ id: 'std', label: 'Standard', amount: gbp(399), minDays: 1, maxDays: 3 }] }],
});
const field = (input: ShippingConfigSpec) => {
  try {
    validateShippingConfig(input, 'GBP');
  } catch (err) {
    return (err as HandoffError).extensions.field;
  }
  return undefined;
};

describe('validateShippingConfig', () => {
  it('normalizes countries and fills defaults', () => {
    const c = validateShippingConfig(base(), 'GBP');
    expect(c.zones[0]).toMatchObject({ countries: ['GB'], regions: [], rates: [{ kind: 'FLAT', freeOver: null, carrier: null }] });
    expect(c.pickupLocations).toEqual([]);
  });

  it.each<[string, (s: ShippingConfigSpec) => void, string]>([
    ['unknown country', (s) => (s.zones[0]!.countries = ['XK']), 'input.zones[0].countries[0]'],
    ['three-letter country', (s) => (s.zones[0]!.countries = ['GBR']), 'input.zones[0].countries[0]'],
    ['no countries or regions', (s) => (s.zones[0]!.countries = []), 'input.zones[0].countries'],
    ['min without max', (s) => (s.zones[0]!.rates[0]!.maxDays = null), 'input.zones[0].rates[0].maxDays'],
    ['min over max', (s) => Object.assign(s.zones[0]!.rates[0]!, { minDays: 4, maxDays: 3 }), 'input.zones[0].rates[0].minDays'],
    ['fractional amount', (s) => (s.zones[0]!.rates[0]!.amount = gbp(1.5)), 'input.zones[0].rates[0].amount.amountMinor'],
    ['zero free-over', (s) => (s.zones[0]!.rates[0]!.freeOver = gbp(0)), 'input.zones[0].rates[0].freeOver.amountMinor'],
    ['unknown kind', (s) => (s.zones[0]!.rates[0]!.kind = 'PER_KG'), 'input.zones[0].rates[0].kind'],
    ['bad id', (s) => (s.zones[0]!.rates[0]!.id = 'Has Space'), 'input.zones[0].rates[0].id'],
    ['too many zones', (s) => (s.zones = Array.from({ length: 51 }, (_, i) => ({ ...base().zones[0]!, id: `z${i}` }))), 'input.zones'],
    [
      'duplicate region',
      (s) => s.zones.push({ name: 'Isles', regions: [{ country: 'GB', region: 'ze' }, { country: 'GB', region: 'ZE' }], rates: [{ id: 'isles', label: 'x', amount: gbp(1) }] }),
      'input.zones[1].regions[1]',
    ],
  ])('refuses %s', (_name, spoil, expected) => {
    const s = base();
    spoil(s);
    expect(field(s)).toBe(expected);
  });
});
