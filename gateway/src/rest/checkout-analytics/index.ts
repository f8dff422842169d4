// Seed 003 §16's analytics at the gateway (issue 19 item 6): the KPIs (GET /v1/checkout/metrics),
// exports (POST/GET /v1/checkout/exports, GET …/{id}, the signed download) and the KPIs as gauges
// on /metrics. The data and the rules are checkout-session's (checkout-metrics/, checkout-export/).
import type { RouteMount } from '../../route-deps.js';
import { mountDownloadRoute } from './download.js';
import { mountExportRoutes } from './exports.js';
import { registerCheckoutKpiGauges } from './kpi-gauges.js';
import { mountMetricsRoute } from './metrics.js';

export const mountCheckoutAnalyticsRest: RouteMount = (app, deps) => {
  mountMetricsRoute(app, deps);
  mountDownloadRoute(app, deps);
  mountExportRoutes(app, deps);
  registerCheckoutKpiGauges(deps);
};
