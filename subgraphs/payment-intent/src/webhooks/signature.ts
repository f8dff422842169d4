// The webhook signature scheme (Stripe's, Handoff's too) lives in shared, written once: this
// module keeps payment-intent's imports short.
export * from '@handoff/shared/identity/webhook-signature';
