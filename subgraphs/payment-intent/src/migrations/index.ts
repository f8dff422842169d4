// The payment-intent package's migrations, oldest first.
import { CreatePaymentIntents1795293700000 } from './1795293700000-create-payment-intents.js';
import { PaymentsCore1795293800000 } from './1795293800000-payments-core.js';
import { SandboxRefunds1795293900000 } from './1795293900000-sandbox-refunds.js';
import { SandboxMovedOut1795400000000 } from './1795400000000-sandbox-moved-out.js';
import { CheckoutBinding1795400100000 } from './1795400100000-checkout-binding.js';
import { Risk1795500800000 } from './1795500800000-risk.js';
import { PaymentApi1795600100000 } from './1795600100000-payment-api.js';
import { DelegatedPaymentTokens1795700200000 } from './1795700200000-delegated-payment-tokens.js';
import { LiveIntentPerSession1795700300000 } from './1795700300000-live-intent-per-session.js';
import { BillingSubscriptions1795722200000 } from './1795722200000-billing-subscriptions.js';
import { StripeBilling1795722350000 } from './1795722350000-stripe-billing.js';
import { BillingLifecycle1795722400000 } from './1795722400000-billing-lifecycle.js';
import { StripeBillingPush1795722450000 } from './1795722450000-stripe-billing-push.js';
import { CardUpdateLinks1795722560000 } from './1795722560000-card-update-links.js';
import { PaymentIntentList1795950100000 } from './1795950100000-payment-intent-list.js';
import { PaymentOutboxJobKey1796000000000 } from './1796000000000-outbox-job-key.js';

export const migrations: Function[] = [CreatePaymentIntents1795293700000, PaymentsCore1795293800000, SandboxRefunds1795293900000, SandboxMovedOut1795400000000, CheckoutBinding1795400100000, Risk1795500800000, PaymentApi1795600100000, DelegatedPaymentTokens1795700200000, LiveIntentPerSession1795700300000, BillingSubscriptions1795722200000, StripeBilling1795722350000, BillingLifecycle1795722400000, StripeBillingPush1795722450000, CardUpdateLinks1795722560000, PaymentIntentList1795950100000, PaymentOutboxJobKey1796000000000];
