// The merchant schema's migrations, oldest first.
import { MerchantInitial1763700000000 } from './1763700000000-initial.js';
import { MerchantCheckoutPricingConfig1795300000000 } from './1795300000000-checkout-pricing-config.js';
import { MerchantOutboundWebhooks1795500100000 } from './1795500100000-outbound-webhooks.js';
import { MerchantAuditLog1795500400000 } from './1795500400000-audit-log.js';
import { MerchantCheckoutSettings1795500700000 } from './1795500700000-checkout-settings.js';
import { MerchantStripePublishableKey1795600900000 } from './1795600900000-stripe-publishable-key.js';
import { MerchantInventoryProvider1795601000000 } from './1795601000000-inventory-provider.js';
import { MerchantAgentWebhookEndpoints1795610000000 } from './1795610000000-agent-webhook-endpoints.js';
import { MerchantOfferSearch1795611000000 } from './1795611000000-offer-search.js';
import { MerchantOfferDescription1795611100000 } from './1795611100000-offer-description.js';
import { MerchantOfferRecurring1795722100000 } from './1795722100000-offer-recurring.js';
import { MerchantUsers1795620000000 } from './1795620000000-merchant-users.js';
import { MerchantRecurringCommission1795800100000 } from './1795800100000-recurring-commission.js';
import { MerchantBillingSettings1795820000000 } from './1795820000000-billing-settings.js';
import { MerchantApiKeyLastUsed1795900200000 } from './1795900200000-api-key-last-used.js';
import { MerchantInvitationWithdrawn1795910000000 } from './1795910000000-invitation-withdrawn.js';
import { MerchantOutboxJobKey1796000000000 } from './1796000000000-outbox-job-key.js';

export const migrations: Function[] = [MerchantInitial1763700000000, MerchantCheckoutPricingConfig1795300000000, MerchantOutboundWebhooks1795500100000, MerchantAuditLog1795500400000, MerchantCheckoutSettings1795500700000, MerchantStripePublishableKey1795600900000, MerchantInventoryProvider1795601000000, MerchantAgentWebhookEndpoints1795610000000, MerchantOfferSearch1795611000000, MerchantOfferDescription1795611100000, MerchantUsers1795620000000, MerchantRecurringCommission1795800100000, MerchantOfferRecurring1795722100000, MerchantBillingSettings1795820000000, MerchantApiKeyLastUsed1795900200000, MerchantInvitationWithdrawn1795910000000, MerchantOutboxJobKey1796000000000];
