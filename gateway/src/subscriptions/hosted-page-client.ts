// The subscription the hosted checkout page sends (gateway/src/hosted-page/assets/payment-watch.js
// holds the same text; hosted-page.spec.ts checks they stay equal): its session's payment, live,
// authenticated with the session's client secret in connection_init.
export const PAYMENT_STATUS_SUBSCRIPTION = `subscription HostedPagePayment($id: ID!) {
  paymentIntentUpdated(checkoutSessionId: $id) {
    id status nextAction { type url } lastPaymentError { code declineCode message }
  }
}`;
