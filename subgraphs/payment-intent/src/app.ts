// Builds the payment-intent subgraph over its resources: services, resolvers, schema, the
// internal webhook route, and the workers (webhook ingestion). The sandbox PSP is reached over
// HTTP (psp/sandbox/), as Stripe is.
import {
  buildFederatedSchema,
  createRedis,
  defineSubgraph,
  IdempotencyStore,
  instanceContainer,
  type SubgraphApp,
} from '@handoff/shared';
import { FailedJobs } from './admin/failed-jobs.js';
import { pspHealth } from './psp/psp-health.js';
import { PaymentsAdminResolver } from './admin/payments-admin.resolver.js';
import { checkoutSessionReference } from './checkout-session/checkout-session.reference.js';
import { CheckoutSessionPaymentIntentResolver } from './checkout-session/checkout-session.resolver.js';
import type { PaymentIntentConfig } from './config.js';
import { entities } from './entities.js';
import { outboxRoutes } from './events.js';
import { migrations } from './migrations/index.js';
import { PaymentIntentCommands, type CommandHooks } from './payment-intent/payment-intent.commands.js';
import { PaymentIntentMutationResolver } from './payment-intent/payment-intent.mutations.js';
import { paymentIntentReference } from './payment-intent/payment-intent.reference.js';
import { PaymentIntentResolver } from './payment-intent/payment-intent.resolver.js';
import { PaymentIntentClientSecrets } from './payment-intent/payment-intent.client-secret.js';
import { CheckoutIntentRenewal } from './payment-intent/checkout-renewal.js';
import { PaymentIntentService } from './payment-intent/payment-intent.service.js';
import { Connectors } from './psp/connectors.js';
import { listenForCredentialChanges } from './psp/credentials-invalidation.js';
import { MerchantCredentialsClient, pathOfProvider } from './psp/merchant-credentials.js';
import { MerchantPort } from './ports/merchant.port.js';
import { CheckoutSessionPort } from './ports/checkout-session.port.js';
import { InternalCheckoutPaymentRecorder } from './ports/checkout-payment.port.js';
import { SandboxAccounts } from './psp/sandbox/sandbox-accounts.js';
import { SandboxAdmin } from './psp/sandbox/sandbox-admin.js';
import { SandboxClient } from './psp/sandbox/sandbox-client.js';
import { SandboxPsp } from './psp/sandbox/sandbox-connector.js';
import { SandboxDashboard } from './psp/sandbox/sandbox-dashboard.js';
import { RefundService } from './refund/refund.service.js';
import { PspEventApplier } from './webhooks/apply-psp-event.js';
import { WebhookAdmission } from './webhooks/admission.js';
import { InboxWriter } from './webhooks/inbox-writer.js';
import { IngestQueue, startIngestWorker } from './webhooks/ingest-webhook.job.js';
import { WebhookIngestService } from './webhooks/webhook-ingest.service.js';
import { PaymentIntentSubscriptionResolver } from './subscription/payment-intent-subscription.resolver.js';
import { webhookRoutes } from './webhooks/webhook.routes.js';
import { RiskSettingsService } from './risk/risk-settings.service.js';
import { RiskAssessor } from './risk/risk-assessor.js';
import { RiskResolver } from './risk/risk.resolver.js';
import { ManualReviewService } from './risk/manual-review.service.js';
import { ManualReviewResolver } from './risk/manual-review.resolver.js';
import { FraudDecisionService } from './risk/fraud-decisions.service.js';
import { KycService } from './risk/kyc.service.js';
import { SandboxKycProvider } from './risk/kyc-provider.js';
import { KycResolver } from './risk/kyc.resolver.js';
import { riskRoutes } from './risk/risk.routes.js';
import { PaymentIntentCreation } from './payment-intent/payment-intent.create.js';
import { ThreeDSecureCallbacks, threeDSecureRoutes } from './payment-intent/three-ds-callback.js';
import { PaymentMethodService } from './payment-method/payment-method.service.js';
import { PaymentMethodResolver } from './payment-method/payment-method.resolver.js';
import { DelegatedVault } from './delegated-payment/delegated-vault.service.js';
import { DelegatedPayments } from './delegated-payment/delegated-pay.service.js';
import { DelegatedPaymentResolver } from './delegated-payment/delegated-payment.resolver.js';
import { BillingInvoiceResolver, BillingSubscriptionResolver, CheckoutSessionBillingSubscriptionResolver } from './billing-subscription/billing-subscription.resolver.js';
import { BillingInvoiceLinesResolver, BillingSubscriptionLifecycleResolver } from './billing-subscription/lifecycle/billing-subscription-lifecycle.resolver.js';
import { BillingSubscriptionService } from './billing-subscription/billing-subscription.service.js';
import { RENEWAL_QUEUE, startRenewals, type RenewalJobData } from './billing-subscription/renewal.job.js';
import { MerchantDunningSettings } from './billing-subscription/dunning-settings.js';
import { BillingClock } from './billing-subscription/test-clock/billing-clock.js';
import { BillingClockResolver } from './billing-subscription/test-clock/billing-clock.resolver.js';
import { Queue } from 'bullmq';
import { stripeInvoicePaymentIntent } from './billing-subscription/stripe-billing-link.js';
import { CardUpdateLinks } from './billing-subscription/card-update/card-update-links.js';
import { useCardUpdateLinksInEvents } from './billing-subscription/card-update/card-update-event-links.js';
import { CardUpdatePage } from './billing-subscription/card-update/card-update-page.js';
import { CardUpdateLinkResolver } from './billing-subscription/card-update/card-update.resolver.js';
import { cardUpdateRoutes } from './billing-subscription/card-update/card-update.routes.js';

export const SUBGRAPH_NAME = 'payment-intent';
export const SCHEMA_NAME = 'payment';

export function createApp(config: PaymentIntentConfig): Promise<SubgraphApp> {
  const { env, logger } = config;
  return defineSubgraph({
    name: SUBGRAPH_NAME,
    schemaName: SCHEMA_NAME,
    config,
    entities,
    migrations,
    async build({ dataSource, redis, outbox }) {
      const merchant = MerchantPort.over(env.MERCHANT_URL, config.internalSecret);
      const credentials = new MerchantCredentialsClient(merchant, config.credentialsCacheMs);
      const sandboxClient = new SandboxClient(config.sandbox);
      const sandboxAccounts = new SandboxAccounts(sandboxClient, env.PUBLIC_BASE_URL, credentials, logger.child({ component: 'psp-sandbox' }));
      // A changed connector is forgotten here and set up again at the sandbox (a rotated webhook secret).
      const credentialChanges = listenForCredentialChanges({
        redisUrl: env.REDIS_URL,
        queuePrefix: env.QUEUE_PREFIX,
        cache: {
          forget: (merchantId) => {
            credentials.forget(merchantId);
            sandboxAccounts.refresh(merchantId);
          },
          clear: () => {
            credentials.clear();
            sandboxAccounts.clear();
          },
        },
        logger,
      });
      const connectors = new Connectors(new SandboxPsp(sandboxClient, sandboxAccounts), config.stripe);
      const ingestQueue = new IngestQueue(redis, env.QUEUE_PREFIX, dataSource, logger);
      const committed = () => outbox.notify();

      const intents = new PaymentIntentService(dataSource);
      const checkoutSessions = CheckoutSessionPort.over(env.CHECKOUT_SESSION_URL, config.internalSecret);
      const checkoutPayments = new InternalCheckoutPaymentRecorder(env.CHECKOUT_SESSION_URL, config.internalSecret, logger.child({ component: 'checkout-payment' }));
      const riskSettings = new RiskSettingsService(dataSource, config.encryptionKey, merchant, committed);
      const riskAssessor = new RiskAssessor(dataSource, riskSettings, checkoutSessions, logger.child({ component: 'risk' }));
      const idempotency = new IdempotencyStore(dataSource, SCHEMA_NAME);
      const commandHooks: CommandHooks = {
          committed: (intent) => {
            outbox.notify();
            // Events that arrived before this intent was known run now instead of at their next retry.
            if (intent?.providerPaymentId && intent.version === 1) {
              ingestQueue.promoteWaitingFor(pathOfProvider[intent.provider], intent.providerPaymentId).catch((err: unknown) => logger.warn({ err }, 'could not promote waiting webhook jobs'));
            }
          },
          // The session is COMPLETE before the buyer is told it paid (its event stays the guarantee).
          succeeded: async (intent) => {
            if (!intent.checkoutSessionId) return;
            await checkoutPayments.succeeded({ checkoutSessionId: intent.checkoutSessionId, paymentIntentId: intent.id, amountMinor: intent.amountMinor, currency: intent.currency });
          },
        };
      const commands = new PaymentIntentCommands(dataSource, credentials, connectors, commandHooks, env.PUBLIC_BASE_URL, checkoutSessions, riskAssessor, idempotency);
      const creation = new PaymentIntentCreation(dataSource, idempotency, credentials, connectors, { dataSource, credentials, connectors, hooks: commandHooks, idempotency }, checkoutSessions, merchant);
      const threeDSecure = new ThreeDSecureCallbacks(dataSource, credentials, commands);
      const manualReviews = new ManualReviewService(dataSource, commands);
      const fraudDecisions = new FraudDecisionService(dataSource, riskSettings, commands);
      const kyc = new KycService(dataSource, checkoutSessions, new SandboxKycProvider(credentials, sandboxClient, sandboxAccounts), config.internalSecret, env.PUBLIC_BASE_URL);
      const refunds = new RefundService(dataSource, idempotency, credentials, connectors, committed);
      const failedJobs = new FailedJobs(redis, env.QUEUE_PREFIX, logger, new SandboxDashboard(sandboxClient, sandboxAccounts));
      const sandboxAdmin = new SandboxAdmin(dataSource, sandboxClient);
      const applier = new PspEventApplier(dataSource, committed, stripeInvoicePaymentIntent(credentials, connectors));
      const inbox = new InboxWriter(dataSource, { maxConcurrent: config.webhookIngest.inboxConnections });
      const ingest = new WebhookIngestService(inbox, credentials, ingestQueue, logger.child({ component: 'webhooks' }));
      const admission = new WebhookAdmission({ maxInFlight: config.webhookIngest.maxInFlight, retryAfterSeconds: config.webhookIngest.shedRetryAfterSeconds }, (refused) =>
        logger.warn({ refused, maxInFlight: config.webhookIngest.maxInFlight }, 'webhook ingestion at its bound: refusing with 503 + Retry-After'),
      );

      const billingSubscriptions = new BillingSubscriptionService(dataSource);
      // The billing clock's producer side (sandbox/test only): renewals it makes due go on the renewal queue.
      const renewalQueue = new Queue<RenewalJobData>(RENEWAL_QUEUE, { connection: redis, prefix: env.QUEUE_PREFIX });
      // The buyer's card-update link (billing-subscription/card-update/): made by the merchant, carried by past-due webhooks, opened at the gateway.
      const cardUpdateLinks = new CardUpdateLinks(dataSource, config.internalSecret, env.PUBLIC_BASE_URL);
      useCardUpdateLinksInEvents(cardUpdateLinks);
      const dunningFor = new MerchantDunningSettings((id) => merchant.dunningSettings(id)).get;
      const cardUpdatePage = new CardUpdatePage(cardUpdateLinks, { dataSource, credentials, connectors, returnUrl: env.PUBLIC_BASE_URL, committed, dunningFor }, (id) => merchant.stripePublishableKey(id));
      const delegatedVault = new DelegatedVault(dataSource, credentials, connectors, idempotency, config.encryptionKey);
      const resolvers = [
        new PaymentIntentResolver(intents, refunds, new PaymentIntentClientSecrets(config.internalSecret)),
        new PaymentIntentMutationResolver(commands, refunds, creation, new CheckoutIntentRenewal(dataSource, credentials, connectors, commandHooks, checkoutSessions, logger)),
        new PaymentMethodResolver(new PaymentMethodService(dataSource, credentials, connectors)),
        new CheckoutSessionPaymentIntentResolver(intents),
        new PaymentsAdminResolver(failedJobs, sandboxAdmin),
        new PaymentIntentSubscriptionResolver(),
        new RiskResolver(riskSettings, riskAssessor, dataSource),
        new ManualReviewResolver(manualReviews, dataSource),
        new KycResolver(kyc),
        new DelegatedPaymentResolver(delegatedVault, new DelegatedPayments(dataSource, delegatedVault, commands, checkoutSessions)),
        new BillingSubscriptionResolver(billingSubscriptions),
        new BillingInvoiceResolver(intents),
        new CheckoutSessionBillingSubscriptionResolver(billingSubscriptions),
        new BillingSubscriptionLifecycleResolver(dataSource),
        new BillingClockResolver(new BillingClock(dataSource, renewalQueue, env.NODE_ENV)),
        new BillingInvoiceLinesResolver(dataSource),
        new CardUpdateLinkResolver(dataSource, cardUpdateLinks),
      ];
      const schema = await buildFederatedSchema({
        resolvers: [
          PaymentIntentResolver,
          PaymentIntentMutationResolver,
          PaymentMethodResolver,
          CheckoutSessionPaymentIntentResolver,
          PaymentsAdminResolver,
          PaymentIntentSubscriptionResolver,
          RiskResolver,
          ManualReviewResolver,
          KycResolver,
          DelegatedPaymentResolver,
          BillingSubscriptionResolver,
          BillingInvoiceResolver,
          CheckoutSessionBillingSubscriptionResolver,
          BillingSubscriptionLifecycleResolver,
          BillingClockResolver,
          BillingInvoiceLinesResolver,
          CardUpdateLinkResolver,
        ],
        container: instanceContainer(resolvers),
        referenceResolvers: {
          PaymentIntent: paymentIntentReference(intents),
          CheckoutSession: checkoutSessionReference,
        },
      });

      return {
        schema,
        outboxRoutes,
        internalRoutes: [...webhookRoutes(ingest, admission, logger), ...riskRoutes(fraudDecisions, kyc, logger.child({ component: 'risk' })), ...threeDSecureRoutes(threeDSecure, logger), ...cardUpdateRoutes(cardUpdatePage, logger.child({ component: 'card-update' }))],
        healthChecks: { psp: pspHealth({ sandbox: config.sandbox, stripe: config.stripe }) },
        startWorkers: async () => {
          const connection = createRedis(env.REDIS_URL, { forBullmqWorker: true });
          const workers = [startIngestWorker({ connection, prefix: env.QUEUE_PREFIX, applier, logger })];
          // Subscription renewals and dunning (billing-subscription/renewal.job.ts): the scan scheduler and the renew worker.
          // Renewal intents committed: the PSP's webhooks that arrived before them (PaymentNotKnownYet) run now, not at their next retry.
          const intentsCreated = (intents: readonly { provider: string; providerPaymentId: string }[]) =>
            void ingestQueue
              .promoteWaitingForAll(intents.map((i) => ({ provider: pathOfProvider[i.provider as keyof typeof pathOfProvider] ?? i.provider, providerPaymentId: i.providerPaymentId })))
              .catch((err: unknown) => logger.warn({ err }, 'could not promote waiting webhook jobs'));
          const renewals = await startRenewals({ deps: { dataSource, credentials, connectors, returnUrl: env.PUBLIC_BASE_URL, committed, intentsCreated, dunningFor: new MerchantDunningSettings((id) => merchant.dunningSettings(id)).get }, connection, prefix: env.QUEUE_PREFIX, logger, everyMs: config.renewalScanEveryMs });
          const sweep = setInterval(() => {
            ingestQueue.sweep(config.webhookSweepAfterMs).catch((err: unknown) => logger.warn({ err }, 'webhook inbox sweep failed'));
          }, config.webhookSweepIntervalMs);
          sweep.unref();
          return {
            close: async () => {
              clearInterval(sweep);
              await Promise.allSettled(workers.map((w) => w.close()));
              await renewals.close();
              connection.disconnect();
            },
          };
        },
        close: async () => {
          await credentialChanges.close();
          await failedJobs.close();
          await ingestQueue.close();
          await renewalQueue.close();
        },
      };
    },
  });
}
