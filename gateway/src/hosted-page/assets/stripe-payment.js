// The hosted page's card collection for a merchant paid through Stripe: Stripe.js's Payment
// Element, mounted in #payment-element under the merchant's publishable key, in Stripe's
// "finalize on the server" mode (elements with mode/amount/currency, paymentMethodCreation
// 'manual'). The card goes from the buyer's browser to Stripe only; Stripe answers a payment
// method id, which checkout.js sends to the pay route (window.HandoffStripe.paymentMethod()).
// Handoff then confirms it with its risk rules and limits, as any payment (PCI SAQ A).
(function () {
  'use strict';

  var form = document.getElementById('pay-form');
  var key = form && form.getAttribute('data-stripe-key');
  if (!key) return;
  var errorBox = document.getElementById('payment-element-error');
  if (typeof window.Stripe !== 'function') {
    errorBox.textContent = 'The secure card form could not be loaded. Check your connection and reload the page.';
    return;
  }
  var stripe = window.Stripe(key);
  var amount = Number(form.getAttribute('data-amount'));
  var currency = form.getAttribute('data-currency');
  // A subscription keeps the card for its renewals: Handoff confirms with setup_future_usage=off_session
  // (said to Stripe.js too), or, for a trial where nothing is charged today, saves it with a SetupIntent
  // (Stripe.js's "setup" mode, data-stripe-mode).
  var futureUsage = form.getAttribute('data-setup-future-usage');
  var setup = form.getAttribute('data-stripe-mode') === 'setup';
  var elements = stripe.elements(
    !setup && amount > 0
      ? Object.assign({ mode: 'payment', amount: amount, currency: currency, paymentMethodCreation: 'manual' }, futureUsage ? { setupFutureUsage: futureUsage } : {})
      : { mode: 'setup', currency: currency, paymentMethodCreation: 'manual' },
  );
  elements.create('payment').mount('#payment-element');

  window.HandoffStripe = {
    /** Resolves with the payment method id (pm_…); rejects with the buyer-facing message. */
    paymentMethod: function () {
      errorBox.textContent = '';
      return elements
        .submit()
        .then(function (submitted) {
          if (submitted && submitted.error) throw submitted.error;
          return stripe.createPaymentMethod({ elements: elements });
        })
        .then(function (created) {
          if (created.error) throw created.error;
          return created.paymentMethod.id;
        })
        .catch(function (err) {
          var message = (err && err.message) || 'Check your card details and try again.';
          errorBox.textContent = message;
          throw new Error(message);
        });
    },
    /** The amount due changed (a buyer's change): the element shows and checks the new one. */
    setAmount: function (amountMinor) {
      if (typeof amountMinor === 'number' && amountMinor > 0) elements.update({ amount: amountMinor });
    },
  };
})();
