// The card-update page's behaviour (issue 22; gateway/src/hosted-page/card-update/): the new card
// → POST /api/billing/card-update/<token> → saved (and, for a past-due subscription, its invoice
// paid) or the error shown, the form kept for another card. The link's token is the page's path;
// the card number goes only into that request: never stored, never logged.
// A merchant paid through Stripe (the form's data-stripe-key): Stripe.js's Payment Element in setup
// mode; on submit the link's SetupIntent is asked for (POST …/setup-intent), Stripe.js confirms it
// with the card (which goes to Stripe only), and its id is posted: { setup_intent }.
(function () {
  'use strict';

  var root = document.getElementById('card-update');
  if (!root) return;
  var $ = function (id) { return document.getElementById(id); };
  var form = $('card-form');
  var button = $('save-button');
  var label = button.textContent;
  var errorBox = $('error');
  var statusBox = $('status');
  var token = window.location.pathname.split('/').pop() || '';
  var api = '/api/billing/card-update/' + encodeURIComponent(token);
  var stripeKey = form.getAttribute('data-stripe-key');
  var stripe = null;
  var elements = null;
  if (stripeKey) {
    if (typeof window.Stripe !== 'function') {
      $('payment-element-error').textContent = 'The secure card form could not be loaded. Check your connection and reload the page.';
      button.disabled = true;
    } else {
      stripe = window.Stripe(stripeKey);
      elements = stripe.elements({ mode: 'setup', currency: form.getAttribute('data-currency') });
      elements.create('payment').mount('#payment-element');
    }
  }

  function post(path, body) {
    return fetch(api + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (b) { return { status: res.status, body: b }; });
    });
  }

  /** Stripe: the link's SetupIntent confirmed by Stripe.js with the card; resolves with the answer of posting its id (as the sandbox's card post). */
  function saveWithStripe() {
    return elements
      .submit()
      .then(function (submitted) {
        if (submitted && submitted.error) throw { message: submitted.error.message };
        return post('/setup-intent', {});
      })
      .then(function (r) {
        if (r.status !== 200) return { answered: r };
        return stripe
          .confirmSetup({ elements: elements, clientSecret: r.body.client_secret, confirmParams: { return_url: window.location.href }, redirect: 'if_required' })
          .then(function (confirmed) {
            var si = confirmed.setupIntent || (confirmed.error && confirmed.error.setup_intent);
            // Already confirmed (the page's earlier try saved it but its post did not arrive): post it again.
            if (confirmed.error && !(si && si.status === 'succeeded')) throw { message: confirmed.error.message };
            return post('', { setup_intent: si.id }).then(function (answer) { return { answered: answer }; });
          });
      })
      .then(function (x) { return x.answered; }, function (err) {
        if (err && err.message) return { status: 0, body: { error: err.message, code: 'STRIPE_FORM' } };
        throw err;
      });
  }

  function digitsOf(value) { return value.replace(/[\s-]/g, ''); }

  function luhn(digits) {
    var sum = 0;
    for (var i = 0; i < digits.length; i++) {
      var d = digits.charCodeAt(digits.length - 1 - i) - 48;
      if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  }

  function fieldError(input, text) {
    $(input.id + '-error').textContent = text || '';
    if (text) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return !text;
  }

  function fieldInput(field) {
    if (field === 'card.expMonth' || field === 'card.expYear') return $('card-expiry');
    if (field === 'card.cvc') return $('card-cvc');
    if (field === 'card.name') return $('card-name');
    return $('card-number');
  }

  function readCard() {
    var name = $('card-name').value.trim();
    var number = digitsOf($('card-number').value);
    var exp = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec($('card-expiry').value);
    var cvc = $('card-cvc').value.trim();
    var now = new Date();
    var month = exp ? Number(exp[1]) : 0;
    var year = exp ? Number(exp[2].length === 2 ? '20' + exp[2] : exp[2]) : 0;
    var expired = year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1);
    var ok = [
      fieldError($('card-number'), /^\d{12,19}$/.test(number) && luhn(number) ? '' : 'Enter a valid card number.'),
      fieldError($('card-expiry'), !exp || month < 1 || month > 12 ? 'Enter the expiry date as MM/YY.' : expired ? 'This card has expired.' : ''),
      fieldError($('card-cvc'), /^\d{3,4}$/.test(cvc) ? '' : 'Enter the 3 or 4 digit security code.'),
    ];
    if (ok.indexOf(false) !== -1) {
      var first = form.querySelector('[aria-invalid="true"]');
      if (first) first.focus();
      return null;
    }
    var card = { number: number, expMonth: month, expYear: year, cvc: cvc };
    if (name) card.name = name;
    return card;
  }

  function done(answer) {
    var retry = answer.retry;
    var paid = retry && (retry.outcome === 'paid' || retry.outcome === 'already_paid');
    var pm = answer.payment_method;
    root.setAttribute('data-state', paid || !retry ? 'saved' : 'saved-unpaid');
    form.hidden = true;
    if ($('test-cards')) $('test-cards').hidden = true;
    $('intro').hidden = true;
    // Paid: the invoice owed is settled, which makes the subscription active (with Stripe Billing, Handoff records it when Stripe's invoice.paid arrives, a moment later).
    $('status-text').textContent = paid ? 'active' : String(answer.status || '').replace('_', ' ');
    if (pm) $('current-card-text').textContent = (pm.brand ? pm.brand.charAt(0).toUpperCase() + pm.brand.slice(1) : 'Card') + ' ending in ' + (pm.last4 || '••••');
    if (paid && $('amount-label')) $('amount-label').textContent = 'Paid';
    $('notice').hidden = false;
    $('notice-heading').textContent = paid ? 'Card updated and payment made' : 'Card updated';
    $('notice-text').textContent = paid
      ? 'Thank you. Your new card was charged and will be used for your next renewals.'
      : retry
        ? 'Your new card is saved, but the payment due did not go through yet: the merchant will retry it.'
        : 'Your new card will be used for your next renewals.';
    $('notice-heading').focus();
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (button.disabled) return;
    errorBox.textContent = '';
    var card = null;
    if (!stripe) {
      card = readCard();
      if (!card) return;
    }
    button.disabled = true;
    button.textContent = 'Saving…';
    statusBox.textContent = 'Saving your card…';
    (stripe ? saveWithStripe() : post('', { card: card }))
      .then(function (r) {
        statusBox.textContent = '';
        if (r.status === 200) return done(r.body);
        if (r.status === 400 && r.body.field && !stripe) fieldError(fieldInput(r.body.field), r.body.error);
        errorBox.textContent = r.body.error || 'Your card could not be saved. Please try again.';
        root.setAttribute('data-error-code', r.body.code || '');
      }, function () {
        statusBox.textContent = '';
        errorBox.textContent = 'We could not reach the payment service. Check your connection and try again.';
      })
      .then(function () {
        button.disabled = false;
        button.textContent = label;
      });
  });
})();
