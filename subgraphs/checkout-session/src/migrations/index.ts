// The checkout-session package's migrations, oldest first.
import { CreateCheckoutSessions1795293700000 } from './1795293700000-create-checkout-sessions.js';
import { AgentSessionsAndCheckout1795293800000 } from './1795293800000-agent-sessions-and-checkout.js';
import { CheckoutPaymentMismatch1795294000000 } from './1795294000000-checkout-payment-mismatch.js';
import { OneOpenCheckoutPerRecommendation1795294100000 } from './1795294100000-one-open-checkout-per-recommendation.js';
import { CheckoutCalculations1795300200000 } from './1795300200000-checkout-calculations.js';
import { CheckoutBuyerDetails1795300400000 } from './1795300400000-checkout-buyer-details.js';
import { CheckoutSessionTerms1795300500000 } from './1795300500000-checkout-session-terms.js';
import { LineItemTaxCategorySku1795300600000 } from './1795300600000-line-item-tax-category-sku.js';
import { CheckoutTimeline1795500300000 } from './1795500300000-checkout-timeline.js';
import { CalculationSnapshotsJson1795500450000 } from './1795500450000-calculation-snapshots-json.js';
import { CheckoutRemediation1795500700000 } from './1795500700000-checkout-remediation.js';
import { CheckoutAnalytics1795501100000 } from './1795501100000-checkout-analytics.js';
import { InventoryReservations1795500920000 } from './1795500920000-inventory-reservations.js';
import { GiftCardsAndStoreCredit1795500900000 } from './1795500900000-gift-cards-and-store-credit.js';

import { CheckoutOrders1795501000000 } from './1795501000000-checkout-orders.js';
import { RollbackRestores1795501250000 } from './1795501250000-rollback-restores.js';
import { CheckoutAttribution1795611000000 } from './1795611000000-checkout-attribution.js';
import { TenderPaidCommitment1795612500000 } from './1795612500000-tender-paid-commitment.js';
import { AcpOrigin1795613000000 } from './1795613000000-acp-origin.js';
import { CalculationDocuments1795612000000 } from './1795612000000-calculation-documents.js';
import { RecurringLines1795722000000 } from './1795722000000-recurring-lines.js';
import { CheckoutOutboxJobKey1796000000000 } from './1796000000000-outbox-job-key.js';

export const migrations: Function[] = [CreateCheckoutSessions1795293700000, AgentSessionsAndCheckout1795293800000, CheckoutPaymentMismatch1795294000000, OneOpenCheckoutPerRecommendation1795294100000, CheckoutCalculations1795300200000, CheckoutBuyerDetails1795300400000, CheckoutSessionTerms1795300500000, LineItemTaxCategorySku1795300600000, CheckoutTimeline1795500300000, CalculationSnapshotsJson1795500450000, CheckoutRemediation1795500700000, GiftCardsAndStoreCredit1795500900000, InventoryReservations1795500920000, CheckoutAnalytics1795501100000, CheckoutOrders1795501000000, RollbackRestores1795501250000, CheckoutAttribution1795611000000, CalculationDocuments1795612000000, TenderPaidCommitment1795612500000, AcpOrigin1795613000000, RecurringLines1795722000000, CheckoutOutboxJobKey1796000000000];
