// The signed internal route the gateway's /metrics reads (shared/src/contracts/checkout-analytics.contract.ts):
// POST /internal/checkout-metrics/recent → every merchant's KPIs over the last 24 h. Only
// Handoff's own services (the gateway) may ask.
import { RECENT_CHECKOUT_KPIS_PATH, type InternalRoute, type Logger } from '@handoff/shared';
import type { CheckoutMetricsService } from './checkout-metrics.service.js';

export function checkoutMetricsRoutes(metrics: CheckoutMetricsService, logger: Logger): InternalRoute[] {
  return [
    {
      path: RECENT_CHECKOUT_KPIS_PATH.replace(/^\/internal/, ''),
      async handle(req) {
        if (req.principal.kind !== 'SERVICE') return { status: 403, body: { code: 'FORBIDDEN', error: 'forbidden' } };
        try {
          return { status: 200, body: await metrics.recent() };
        } catch (err) {
          logger.error({ err }, 'recent checkout KPIs could not be read');
          return { status: 503, body: { code: 'SERVICE_UNAVAILABLE', error: 'temporarily unavailable' } };
        }
      },
    },
  ];
}
