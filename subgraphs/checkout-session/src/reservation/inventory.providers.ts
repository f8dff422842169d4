// Which inventory provider a merchant uses: Handoff's built-in stock unless its pricing
// configuration names an HTTP inventory endpoint (providers.inventory), which is then called with
// its timeout; when it fails, the configured fallback applies (BUILT_IN: Handoff's stock; FAIL:
// PROVIDER_UNAVAILABLE, nothing held). Released and converted stock goes back to the provider
// that held it (the reservation records which: a fallback's hold is BUILT_IN).
import type { CheckoutPricingConfig } from '@handoff/shared';
import type { EndpointCallOptions } from '../calculation/pricing-endpoint.js';
import { builtInInventoryProvider, type InventoryProvider } from './inventory.provider.js';
import type { InventoryProviderKind } from './reservation.model.js';

/** Chooses the provider from the merchant's configuration (inventory.http-provider.ts plugs in here). */
export type InventoryProviderFactory = (config: CheckoutPricingConfig, kind?: InventoryProviderKind) => InventoryProvider;

export const builtInOnly: InventoryProviderFactory = () => builtInInventoryProvider;

export function inventoryProvidersFor(opts: EndpointCallOptions, http?: (config: CheckoutPricingConfig, opts: EndpointCallOptions) => InventoryProvider | null): InventoryProviderFactory {
  return (config, kind) => {
    if (kind === 'BUILT_IN') return builtInInventoryProvider;
    return http?.(config, opts) ?? builtInInventoryProvider;
  };
}
