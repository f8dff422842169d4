// Operator tools at the gateway (docs/api.md "Operations"; ADMIN key): seed 003 §18's health,
// diagnostics and threads, every package's failed jobs listed and replayed, and the queue
// dashboard at /admin/queues. Queues are found through the packages' worker heartbeats
// (shared/src/queue/worker-heartbeat.ts) and worked with the shared QueueAdmin.
import type { RouteMount } from '../../route-deps.js';
import { mountQueueDashboard } from './dashboard.js';
import { mountDiagnosticsRoutes } from './diagnostics.js';
import { mountHealthRoute } from './health.js';
import { mountQueueRoutes } from './queues.js';

export const mountOperations: RouteMount = (app, deps) => {
  mountHealthRoute(app, deps);
  mountDiagnosticsRoutes(app, deps);
  mountQueueRoutes(app, deps);
  mountQueueDashboard(app, deps);
};
