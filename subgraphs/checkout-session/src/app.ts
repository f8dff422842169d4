// Builds the checkout-session subgraph over its resources: services, resolvers, schema, workers.
import { AcpOrderEvents } from './acp-order/acp-order.events.js';
import { AcpOrderRefunds } from './acp-order/acp-order-refunds.js';
import {
  buildFederatedSchema,
  createRedis,
  defineSubgraph,
  IdempotencyStore,
  instanceContainer,
  ReadPool,
  type SubgraphApp,
} from '@handoff/shared';
import type { DataSource } from 'typeorm';
import { AgentCheckoutResolver } from './agent-checkout/agent-checkout.resolver.js';
import { AgentCheckoutService } from './agent-checkout/agent-checkout.service.js';
import { AttributionTouchResolver, AttributionTouchesResolver } from './checkout-attribution/attribution-touch.resolver.js';
import { AttributionTouchService } from './checkout-attribution/attribution-touch.service.js';
import { AcpCheckoutResolver } from './acp-checkout/acp-checkout.resolver.js';
import { AcpCheckoutService } from './acp-checkout/acp-checkout.service.js';
import { AgentSessionPricing } from './acp-checkout/acp-opening.js';
import { resolveAgentSessionReference } from './agent-session/agent-session.reference.js';
import { AgentSessionResolver } from './agent-session/agent-session.resolver.js';
import { AgentSessionService } from './agent-session/agent-session.service.js';
import { CheckoutPayments } from './checkout-session/checkout-payment.js';
import { CheckoutLifecycleService } from './checkout-session/checkout-session.lifecycle.js';
import { checkoutSessionReference } from './checkout-session/checkout-session.reference.js';
import { CheckoutSessionResolver } from './checkout-session/checkout-session.resolver.js';
import { CheckoutSessionService } from './checkout-session/checkout-session.service.js';
import { LineCatalog } from './checkout-session/line-catalog.js';
import { startExpiryScheduler } from './checkout-session/expire-checkout-sessions.job.js';
import { startPaymentEventsWorker } from './checkout-session/payment-events.job.js';
import { AddressResolver } from './address/address.resolver.js';
import { AddressService } from './address/address.service.js';
import { CalculationService } from './calculation/index.js';
import { CustomerResolver } from './customer/customer.resolver.js';
import { CustomerService } from './customer/customer.service.js';
import { SessionCalculationResolver } from './session-calculation/session-calculation.resolver.js';
import { SessionCalculationService } from './session-calculation/session-calculation.service.js';
import { SessionChanger } from './session-change/session-change.js';
import { CheckoutLifecycleResolver } from './checkout-lifecycle/checkout-lifecycle.resolver.js';
import { CheckoutFailureResolver, RemediationResolver } from './remediation/remediation.resolver.js';
import { RemediationService } from './remediation/remediation.service.js';
import { ResolveService } from './remediation/resolve.service.js';
import { CheckoutUpdateService } from './checkout-lifecycle/checkout-update.service.js';
import { PaymentCommitment } from './checkout-lifecycle/payment-commitment.js';
import { SessionOpening } from './checkout-lifecycle/session-opening.js';
import { SessionPromotionResolver } from './session-promotion/session-promotion.resolver.js';
import { SessionPromotionService } from './session-promotion/session-promotion.service.js';
import { SessionShippingResolver } from './session-shipping/session-shipping.resolver.js';
import { SessionShippingService } from './session-shipping/session-shipping.service.js';
import { CachedMerchantPricing, RedisPricingConfigVersionSource } from './ports/merchant-pricing.cache.js';
import { InternalMerchantPricing, type MerchantPricingPort } from './ports/merchant-pricing.port.js';
import { InternalMerchantDirectory, type MerchantDirectory } from './ports/merchant.port.js';
import { InternalPaymentIntents, type PaymentIntents } from './ports/payment-intent.port.js';
import type { CheckoutSessionConfig } from './config.js';
import { extendContext, type CheckoutContext } from './context.js';
import { entities } from './entities.js';
import { outboxRoutes, SCHEMA_NAME, SUBGRAPH_NAME, type OutboxNotifier } from './events.js';
import { migrations } from './migrations/index.js';
import { recommendationReference } from './recommendation/recommendation.reference.js';
import { RecommendationResolver } from './recommendation/recommendation.resolver.js';
import { RecommendationService } from './recommendation/recommendation.service.js';
import { startTimelineWorker } from './timeline/timeline.job.js';
import { TimelineResolver } from './timeline/timeline.resolver.js';
import { CheckoutRiskSignalsResolver } from './risk-signals/risk-signals.resolver.js';
import { TimelineService } from './timeline/timeline.service.js';
import { FinalizationJobs } from './order/finalization-jobs.service.js';
import { startFinalizationWorkers } from './order/finalization.job.js';
import { FinalizationService } from './order/finalization.service.js';
import { finalizationSteps } from './order/finalization.steps.js';
import { reservationFinalizationStep } from './reservation/reservation.finalization-step.js';
import { OrderResolver } from './order/order.resolver.js';
import { HostedCheckoutResolver } from './hosted/hosted.resolver.js';
import { HostedCheckoutService } from './hosted/hosted.service.js';
import type { PaymentCompensations } from './ports/payment-intent.port.js';
import { inventoryProvidersFor } from './reservation/inventory.providers.js';
import { httpInventoryProvider } from './reservation/inventory.http-provider.js';
import { startReservationExpiryScheduler } from './reservation/reservation-expiry.job.js';
import { ReservationResolver } from './reservation/reservation.resolver.js';
import { ReservationService } from './reservation/reservation.service.js';
import { StockService } from './reservation/stock.service.js';
import { CheckoutMetricsResolver } from './checkout-metrics/checkout-metrics.resolver.js';
import { checkoutMetricsRoutes } from './checkout-metrics/checkout-metrics.routes.js';
import { paymentSucceededRoutes } from './checkout-session/payment-succeeded.route.js';
import { CheckoutMetricsService } from './checkout-metrics/checkout-metrics.service.js';
import { ExportBuilder } from './checkout-export/checkout-export.build.js';
import { startExportWorker } from './checkout-export/checkout-export.job.js';
import { ExportLinkSigner } from './checkout-export/checkout-export.link.js';
import { CheckoutExportResolver } from './checkout-export/checkout-export.resolver.js';
import { checkoutExportRoutes } from './checkout-export/checkout-export.routes.js';
import { CheckoutExportService } from './checkout-export/checkout-export.service.js';
import { TenderHoldsService } from './tender/tender-holds.js';
import { TenderService } from './tender/tender.service.js';
import { TenderResolver } from './tender/tender.resolver.js';
import { GiftCardService } from './gift-card/gift-card.service.js';

export { SCHEMA_NAME, SUBGRAPH_NAME };

/** Collaborators in other subgraphs; tests may stand in for them. */
export interface CheckoutCollaborators {
  merchants?: MerchantDirectory;
  payments?: PaymentIntents;
  /** What finalization asks payment-intent (its payment's state, void, refund). */
  compensations?: PaymentCompensations;
  pricing?: MerchantPricingPort;
}

export type CheckoutServices = ReturnType<typeof createServices>;

export function createServices(opts: {
  dataSource: DataSource;
  /** BI reads (KPIs, exports' rows): the read replica when DATABASE_READ_URL is set; the primary otherwise (and in tests that leave it out). */
  reads?: ReadPool;
  config: CheckoutSessionConfig;
  outbox: OutboxNotifier;
  merchants: MerchantDirectory;
  payments: PaymentIntents;
  pricing: MerchantPricingPort;
  compensations?: PaymentCompensations;
}) {
  const { dataSource, config, outbox, merchants, payments, pricing } = opts;
  const reads = opts.reads ?? new ReadPool({ primary: dataSource, logger: config.logger });
  const idempotency = new IdempotencyStore(dataSource, SCHEMA_NAME);
  const checkoutPayments = new CheckoutPayments(dataSource, payments, outbox, config.logger);
  const calculations = new CalculationService({ dataSource, pricing, allowPrivateUrls: config.allowPrivateUrls });
  const opening = new SessionOpening(calculations, pricing);
  const catalog = new LineCatalog(merchants, pricing);
  // The ACP order events of sessions that came through ACP (their permalink is the session's page).
  const acpOrders = new AcpOrderEvents({ publicBaseUrl: config.publicBaseUrl, internalSecret: config.internalSecret });
  const checkoutSessions = new CheckoutSessionService(
    dataSource,
    idempotency,
    merchants,
    catalog,
    checkoutPayments,
    outbox,
    config.publicBaseUrl,
    config.internalSecret,
    opening,
  );
  // What the buyer fills in (issue 18, part B1): customer, addresses, shipping, promotions, calculation.
  const changer = new SessionChanger(dataSource, idempotency, outbox);
  // Inventory reservations (issue 20 item 1): the built-in stock or the merchant's endpoint, held per session.
  const reservations = new ReservationService(dataSource, idempotency, changer, pricing, inventoryProvidersFor({ allowPrivateUrls: config.allowPrivateUrls }, httpInventoryProvider(config.logger)), outbox, config.logger);
  const sessionCalculations = new SessionCalculationService(changer, checkoutSessions, calculations);
  const lifecycle = new CheckoutLifecycleService(dataSource, payments, outbox, config.logger, acpOrders);
  const checkoutUpdates = new CheckoutUpdateService(dataSource, changer, sessionCalculations, lifecycle, catalog, outbox, reservations);
  const sessionPromotions = new SessionPromotionService(changer, sessionCalculations);
  // Finalization and order handoff (issue 20 item 4, seed 003 §8): a saga of pluggable steps, exactly once per session.
  const compensations = opts.compensations ?? InternalPaymentIntents.over(config.env.PAYMENT_INTENT_URL, config.internalSecret);
  const steps = finalizationSteps([reservationFinalizationStep(reservations)]);
  const finalization = new FinalizationService(dataSource, compensations, steps, outbox, acpOrders);
  return {
    // Seed 003's lifecycle (issue 18, part B2): update, cancel, refresh; the payment commitment.
    checkoutUpdates,
    paymentCommitment: new PaymentCommitment(dataSource, calculations, pricing, config.logger, config.attribution),
    // Failed checkouts, their resolutions and support notes (issue 19, seed 003 §15).
    remediation: new RemediationService(dataSource, idempotency, checkoutSessions),
    resolutions: new ResolveService(dataSource, idempotency, checkoutSessions, sessionPromotions, sessionCalculations, checkoutUpdates),
    calculations,
    sessionCalculations,
    customers: new CustomerService(changer),
    addresses: new AddressService(changer),
    sessionShipping: new SessionShippingService(changer, sessionCalculations),
    sessionPromotions,
    agentSessions: new AgentSessionService(dataSource, idempotency, outbox),
    recommendations: new RecommendationService(dataSource, idempotency, merchants, config.attribution),
    // Attribution an agent attaches to its checkout sessions (issue 21 item 4).
    attributionTouches: new AttributionTouchService(dataSource, config.attribution, config.attributionKeys),
    checkoutSessions,
    catalog,
    finalization,
    finalizationJobs: new FinalizationJobs(dataSource, idempotency, finalization, compensations, steps, outbox, config.logger, acpOrders),
    // Refunds of ACP sessions' payments, told to their agents (order_update).
    acpOrderRefunds: new AcpOrderRefunds(dataSource, acpOrders, outbox),
    // Hosted links and embed tokens (issue 20 item 5, seed 003 §12).
    hostedCheckout: new HostedCheckoutService(dataSource, checkoutSessions, config.publicBaseUrl, config.internalSecret),
    lifecycle,
    // Each session's timeline (issue 19): its own entries are written with each change; other packages' come by queue.
    timeline: new TimelineService(dataSource),
    reservations,
    stock: new StockService(dataSource, merchants, pricing),
    // Gift cards and store credit held by a session (issue 20 item 3): captured when it is paid, released when it fails.
    tenderHolds: new TenderHoldsService(dataSource, outbox),
    giftCards: new GiftCardService(dataSource, idempotency, outbox, config.internalSecret),
    tender: new TenderService(dataSource, changer, pricing, outbox),
    // Checkout KPIs and exports (issue 19 item 6, seed 003 §16): computed from the stored sessions, timelines and failures.
    checkoutMetrics: new CheckoutMetricsService(reads),
    checkoutExports: new CheckoutExportService(dataSource, idempotency, merchants, new ExportLinkSigner(config.internalSecret), outbox, config.publicBaseUrl),
    exportBuilder: new ExportBuilder(dataSource, undefined, reads),
    agentCheckouts: new AgentCheckoutService(idempotency, merchants, checkoutPayments, config.attribution, outbox, opening, catalog),
    // An agent's own checkout sessions from offer ids (issue 21: the ACP routes at the gateway).
    acpCheckouts: new AcpCheckoutService(idempotency, merchants, catalog, checkoutPayments, changer, outbox, opening, new AgentSessionPricing(calculations, opening)),
  };
}

export function createApp(config: CheckoutSessionConfig, collaborators: CheckoutCollaborators = {}): Promise<SubgraphApp> {
  return defineSubgraph<CheckoutSessionConfig, CheckoutContext>({
    name: SUBGRAPH_NAME,
    schemaName: SCHEMA_NAME,
    config,
    entities,
    migrations,
    async build({ dataSource, reads, redis, outbox }) {
      const services = createServices({
        dataSource,
        reads,
        config,
        outbox,
        merchants: collaborators.merchants ?? InternalMerchantDirectory.over(config.env.MERCHANT_URL, config.internalSecret),
        payments: collaborators.payments ?? InternalPaymentIntents.over(config.env.PAYMENT_INTENT_URL, config.internalSecret),
        // Kept between calculations while the merchant's configuration version is unchanged (merchant-pricing.cache.ts).
        compensations: collaborators.compensations,
        pricing:
          collaborators.pricing ??
          new CachedMerchantPricing(
            InternalMerchantPricing.over(config.env.MERCHANT_URL, config.internalSecret),
            new RedisPricingConfigVersionSource(redis, config.env.QUEUE_PREFIX),
          ),
      });
      const resolvers = [
        new CheckoutSessionResolver(services.checkoutSessions, services.lifecycle, services.catalog),
        new AgentSessionResolver(services.agentSessions),
        new RecommendationResolver(services.recommendations),
        new AgentCheckoutResolver(services.agentCheckouts, services.checkoutSessions),
        new CustomerResolver(services.customers),
        new AddressResolver(services.addresses),
        new SessionShippingResolver(services.sessionShipping),
        new SessionPromotionResolver(services.sessionPromotions),
        new SessionCalculationResolver(services.sessionCalculations),
        new CheckoutLifecycleResolver(services.checkoutUpdates, services.paymentCommitment, dataSource.manager),
        new RemediationResolver(services.remediation, services.resolutions),
        new CheckoutFailureResolver(services.checkoutSessions),
        new TimelineResolver(services.timeline),
        new TenderResolver(services.giftCards, services.tender),
        new OrderResolver(services.finalization, services.finalizationJobs),
        new HostedCheckoutResolver(services.hostedCheckout),
        new CheckoutRiskSignalsResolver(dataSource.manager),
        new ReservationResolver(services.reservations, services.stock),
        new CheckoutMetricsResolver(services.checkoutMetrics),
        new CheckoutExportResolver(services.checkoutExports),
        new AttributionTouchResolver(services.attributionTouches),
        new AttributionTouchesResolver(services.attributionTouches),
        new AcpCheckoutResolver(services.acpCheckouts, services.sessionCalculations, dataSource.manager),
      ];
      const schema = await buildFederatedSchema<CheckoutContext>({
        resolvers: [
          CheckoutSessionResolver,
          AgentSessionResolver,
          RecommendationResolver,
          AgentCheckoutResolver,
          CustomerResolver,
          AddressResolver,
          SessionShippingResolver,
          SessionPromotionResolver,
          SessionCalculationResolver,
          CheckoutLifecycleResolver,
          RemediationResolver,
          CheckoutFailureResolver,
          TimelineResolver,
          TenderResolver,
          OrderResolver,
          HostedCheckoutResolver,
          CheckoutRiskSignalsResolver,
          ReservationResolver,
          CheckoutMetricsResolver,
          CheckoutExportResolver,
          AttributionTouchResolver,
          AttributionTouchesResolver,
          AcpCheckoutResolver,
        ],
        container: instanceContainer(resolvers),
        referenceResolvers: {
          CheckoutSession: checkoutSessionReference(services.checkoutSessions),
          AgentSession: resolveAgentSessionReference,
          Recommendation: recommendationReference(services.recommendations),
        },
      });
      return {
        schema,
        outboxRoutes,
        internalRoutes: [
          ...checkoutMetricsRoutes(services.checkoutMetrics, config.logger),
          ...checkoutExportRoutes(services.checkoutExports, config.logger),
          ...paymentSucceededRoutes(services.lifecycle, config.logger),
        ],
        extendContext: extendContext(services),
        startWorkers: async () => {
          const connection = createRedis(config.env.REDIS_URL, { forBullmqWorker: true });
          const prefix = config.env.QUEUE_PREFIX;
          const logger = config.logger.child({ component: 'checkout-workers' });
          const payments = startPaymentEventsWorker({ lifecycle: services.lifecycle, failures: services.remediation, cancellations: services.reservations, refunds: services.acpOrderRefunds, connection, prefix, logger });
          const expiry = await startExpiryScheduler({ lifecycle: services.lifecycle, connection, prefix, everyMs: config.expiryIntervalMs, logger });
          const timeline = startTimelineWorker({ timeline: services.timeline, connection, prefix, logger });
          const finalizations = startFinalizationWorkers({ jobs: services.finalizationJobs, connection, prefix, logger });
          const holds = await startReservationExpiryScheduler({ reservations: services.reservations, connection, prefix, everyMs: config.expiryIntervalMs, logger });
          const exportsWorker = startExportWorker({ builder: services.exportBuilder, connection, prefix, logger });
          return {
            close: async () => {
              await Promise.allSettled([payments.close(), expiry.worker.close(), timeline.close(), ...finalizations.map((w) => w.close()), holds.worker.close(), exportsWorker.close()]);
              await expiry.queue.close();
              await holds.queue.close();
              connection.disconnect();
            },
          };
        },
      };
    },
  });
}
