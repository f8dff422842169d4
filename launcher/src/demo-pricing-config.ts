// The demo merchant's checkout pricing configuration (issue 18), set through the public GraphQL
// API like the rest of the demo data: a GB shipping zone (standard, free over £50; express) and
// a pickup store, GB tax (20 % standard, 0 % for the "zero" category, prices include tax), the
// code WELCOME10 and an automatic £5 off orders of £40 or more. Each part is set only when the
// merchant has none yet, so a restart keeps what was changed since.
import { graphqlOrThrow } from './graphql-client.js';

const READ = `query($id: ID!) { merchant(id: $id) {
  shippingConfig { updatedAt } taxConfig { updatedAt }
  promotions(first: 100) { edges { node { code automatic } } } } }`;
const SET_SHIPPING = `mutation($id: ID!, $input: ShippingConfigInput!) { setShippingConfig(merchantId: $id, input: $input) { updatedAt } }`;
const SET_TAX = `mutation($id: ID!, $input: TaxConfigInput!) { setTaxConfig(merchantId: $id, input: $input) { updatedAt } }`;
const CREATE_PROMOTION = `mutation($input: CreatePromotionInput!, $key: String) { createPromotion(input: $input, idempotencyKey: $key) { id } }`;

const gbp = (amountMinor: number) => ({ amountMinor, currency: 'GBP' });

export const DEMO_SHIPPING = {
  zones: [
    {
      id: 'gb',
      name: 'United Kingdom',
      countries: ['GB'],
      rates: [
        { id: 'standard', label: 'Standard delivery', amount: gbp(399), freeOver: gbp(5000), carrier: 'Royal Mail', serviceCode: 'tracked48', minDays: 2, maxDays: 4 },
        { id: 'express', label: 'Next day', amount: gbp(899), carrier: 'DPD', serviceCode: 'next-day', minDays: 1, maxDays: 1 },
      ],
    },
  ],
  pickupLocations: [
    {
      id: 'london-soho',
      name: 'SMARTY Soho',
      address: { line1: '1 Dean Street', city: 'London', postalCode: 'W1D 3RB', country: 'GB' },
      openingHours: ['MON', 'TUE', 'WED', 'THU', 'FRI'].map((day) => ({ day, opens: '09:00', closes: '18:00' })).concat({ day: 'SAT', opens: '10:00', closes: '16:00' }),
    },
  ],
};

export const DEMO_TAX = {
  pricesIncludeTax: true,
  defaultCategory: 'standard',
  rates: [
    { country: 'GB', category: 'standard', basisPoints: 2000 },
    { country: 'GB', category: 'zero', basisPoints: 0 },
  ],
};

export async function ensureDemoPricingConfig(graphqlUrl: string, adminKey: string, merchantId: string): Promise<void> {
  const admin = (query: string, variables: Record<string, unknown>) =>
    graphqlOrThrow<Record<string, any>>(graphqlUrl, query, variables, { key: adminKey });
  const { merchant } = await admin(READ, { id: merchantId });
  if (!merchant.shippingConfig.updatedAt) await admin(SET_SHIPPING, { id: merchantId, input: DEMO_SHIPPING });
  if (!merchant.taxConfig.updatedAt) await admin(SET_TAX, { id: merchantId, input: DEMO_TAX });
  const promotions: Array<{ code: string | null; automatic: boolean }> = merchant.promotions.edges.map((e: any) => e.node);
  if (!promotions.some((p) => p.code === 'WELCOME10')) {
    await admin(CREATE_PROMOTION, {
      input: { merchantId, name: '10 % off your first order', code: 'WELCOME10', percentOffBasisPoints: 1000, perCustomerLimit: 1 },
      key: `demo-promotion-welcome10-${merchantId}`,
    });
  }
  if (!promotions.some((p) => p.automatic)) {
    await admin(CREATE_PROMOTION, {
      input: { merchantId, name: '£5 off orders of £40 or more', automatic: true, amountOff: gbp(500), minSubtotal: gbp(4000) },
      key: `demo-promotion-auto5-${merchantId}`,
    });
  }
}
