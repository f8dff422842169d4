// @handoff/psp-sandbox: the sandbox PSP, a simulated payment processor that stands beside
// Handoff as Stripe does (its own schema, API, webhooks). Public: how to start it, and its test
// cards. Handoff's payment-intent imports only `@handoff/psp-sandbox/test-cards` (the list it
// shows on the hosted page, as Stripe publishes its test card numbers); everything else it
// asks over HTTP.
export { createSandbox, type SandboxApp } from './app.js';
export { loadSandboxConfig, type SandboxConfig } from './config.js';
export { CARD_OUTCOMES, SANDBOX_TEST_CARDS, TEST_CARDS, parseTestCard, type CardBehaviour, type SandboxTestCard } from './test-cards.js';
export { sandboxPaymentId, sandboxRefundId } from './payments/payments.service.js';
export { SANDBOX_QUEUES, SANDBOX_SETTLE_QUEUE, SANDBOX_WEBHOOK_QUEUE } from './webhooks/jobs.js';
