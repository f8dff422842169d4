// The hosted checkout page's behaviour: card form → pay → (3-D Secure challenge) → (processing)
// → the merchant's success URL. Talks only to this origin's public API with the page's client
// secret. The card number goes only into the pay request: never stored, never logged.
(function () {
  'use strict';

  var root = document.getElementById('checkout');
  if (!root) return;
  var sessionId = root.getAttribute('data-session-id') || '';
  var merchant = root.getAttribute('data-merchant') || 'the merchant';
  var secret = new URLSearchParams(window.location.search).get('cs') || '';
  var $ = function (id) { return document.getElementById(id); };
  var form = $('pay-form');
  var payButton = $('pay-button');
  var challenge = $('challenge');
  var stripeChallenge = !!challenge && challenge.getAttribute('data-stripe') === 'true';
  var errorBox = $('error');
  var statusBox = $('status');
  var notice = $('notice');
  var cancelLink = $('cancel-link');
  var payLabel = payButton ? payButton.textContent : '';
  var stopWatching = null;
  var current = root.getAttribute('data-state');
  var finishing = false;
  // What the buyer still has to do before paying (checkout-buyer.js lists it): the Pay button waits.
  var blocked = !!form && form.getAttribute('data-blocked') === 'true';
  var paying = false;

  var NOTICES = {
    paid: ['Payment received', 'Thank you. Taking you back to ' + merchant + '…'],
    expired: ['This checkout has expired', 'Nothing was charged. Return to ' + merchant + ' to start again.'],
    canceled: ['This checkout is no longer available', 'Nothing was charged. Return to ' + merchant + ' to start again.'],
  };

  function api(path, body) {
    var headers = { authorization: 'Bearer ' + secret };
    if (body) headers['content-type'] = 'application/json';
    return fetch('/api/checkout/' + encodeURIComponent(sessionId) + path, {
      method: body ? 'POST' : 'GET',
      headers: headers,
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { return { status: res.status, body: json }; });
    });
  }

  function loadView() {
    return api('').then(function (r) { return r.status === 200 ? r.body : null; });
  }

  /**
   * The page's step for a public view (page-html.ts pageState does the same on the server). The
   * page was open when it loaded, so a session that completes meanwhile was paid from here (or
   * another tab): go on to the success URL like any payment that succeeded.
   */
  function stateOf(view) {
    if (view.status === 'complete') return 'paid';
    if (view.status === 'expired') return 'expired';
    if (view.status !== 'open' || !view.payment) return 'canceled';
    return paymentState(view.payment.status);
  }

  function paymentState(status) {
    if (status === 'requires_action') return 'challenge';
    if (status === 'processing') return 'processing';
    if (status === 'succeeded' || status === 'requires_capture') return 'paid';
    if (status === 'canceled') return 'canceled';
    return 'form';
  }

  function showError(text) {
    errorBox.textContent = text || '';
  }

  function show(state) {
    var changed = state !== current;
    current = state;
    root.setAttribute('data-state', state);
    if (form) form.hidden = state !== 'form';
    if ($('test-cards')) $('test-cards').hidden = state !== 'form';
    if (state === 'paid') showPaid();
    if (challenge) challenge.hidden = state !== 'challenge';
    if (cancelLink) cancelLink.parentElement.hidden = !(state === 'form' || state === 'challenge');
    statusBox.textContent = state === 'processing' ? 'Your payment is processing…' : '';
    var text = NOTICES[state];
    notice.hidden = !text;
    if (text) {
      $('notice-heading').textContent = text[0];
      $('notice-text').textContent = text[1];
      if (changed) $('notice-heading').focus();
      showError('');
    }
    if (state === 'challenge' && changed) $('challenge-heading').focus();
    if (state !== 'processing' && stopWatching) {
      stopWatching();
      stopWatching = null;
    }
  }

  /** Paid from this page: the headline amount no longer says it is due (page-html.ts amountStatus). */
  function showPaid() {
    var status = $('amount-status');
    if (!status || status.getAttribute('data-kind') !== 'due') return;
    status.setAttribute('data-kind', 'paid');
    status.className = 'amount-due amount-paid';
    $('amount-label').textContent = 'Paid';
  }

  function applyView(view) {
    root.dispatchEvent(new CustomEvent('handoff:view', { detail: view }));
    var state = stateOf(view);
    if (state === 'form' && view.payment && view.payment.last_payment_error) showError(view.payment.last_payment_error.display);
    show(state);
    if (state === 'processing') startWatching();
    if (state === 'paid') finish(view.success_url);
  }

  function applyPayment(payment, redirectUrl) {
    var state = paymentState(payment.status);
    // At Stripe the bank's check is on Stripe's page: go there; Stripe sends the buyer back here.
    if (state === 'challenge' && stripeChallenge && payment.next_action && payment.next_action.url) {
      var link = $('challenge-continue');
      link.href = payment.next_action.url;
      link.hidden = false;
      show(state);
      return window.location.assign(payment.next_action.url);
    }
    show(state);
    if (state === 'form' && payment.last_payment_error) showError(payment.last_payment_error.display);
    if (state === 'processing') startWatching();
    if (state === 'paid') finish(redirectUrl || root.getAttribute('data-success-url'));
  }

  function startWatching() {
    if (stopWatching || !window.HandoffPaymentWatch) return;
    stopWatching = window.HandoffPaymentWatch.watchPayment(loadView, applyView, {
      sessionId: sessionId,
      clientSecret: secret,
      keepWatching: function (view) {
        var state = stateOf(view);
        return state === 'processing' || state === 'challenge';
      },
    });
  }

  /** Paid: wait briefly for the session to read COMPLETE (so the merchant's page sees it), then go. */
  function finish(successUrl) {
    if (finishing) return;
    finishing = true;
    if (!successUrl) {
      $('notice-text').textContent = 'Thank you. You can close this page now.';
      return;
    }
    var until = Date.now() + 4000;
    var go = function () { window.location.assign(successUrl); };
    (function wait() {
      loadView().then(
        function (view) {
          if ((view && view.status === 'complete') || Date.now() > until) go();
          else setTimeout(wait, 400);
        },
        function () { if (Date.now() > until) go(); else setTimeout(wait, 400); },
      );
    })();
  }

  function setBusy(button, busy, busyText, idleText) {
    button.disabled = busy || (button === payButton && blocked);
    button.setAttribute('aria-busy', busy ? 'true' : 'false');
    button.textContent = busy ? busyText : idleText;
  }

  function handleAnswer(r) {
    var body = r.body || {};
    if (r.status === 200 && body.payment) return applyPayment(body.payment, body.redirect_url);
    if (r.status === 402) {
      var err = body.payment && body.payment.last_payment_error;
      show(body.payment ? paymentState(body.payment.status) : 'form');
      return showError((err && err.display) || body.error || 'Your card was declined. Try another card.');
    }
    if (r.status === 400 && body.field) return fieldError(fieldInput(body.field), body.error);
    if (r.status === 409) {
      return loadView().then(function (view) {
        if (view) applyView(view);
        if (!view || view.status === 'open') showError(body.error || 'This payment cannot be made now.');
      });
    }
    if (r.status === 404) return showError('This checkout link is no longer valid. Ask ' + merchant + ' for a new one.');
    showError(body.error || 'Something went wrong. Nothing was charged; please try again.');
  }

  // --- the card form ---------------------------------------------------------------------

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

  function fieldInput(field) {
    if (field === 'card.expMonth' || field === 'card.expYear') return $('card-expiry');
    if (field === 'card.cvc') return $('card-cvc');
    if (field === 'card.name') return $('card-name');
    return $('card-number');
  }

  function fieldError(input, text) {
    var box = $(input.id + '-error');
    box.textContent = text || '';
    if (text) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return !text;
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
      fieldError($('card-name'), name ? '' : 'Enter the name on your card.'),
      fieldError($('card-number'), /^\d{12,19}$/.test(number) && luhn(number) ? '' : 'Enter a valid card number.'),
      fieldError($('card-expiry'), !exp || month < 1 || month > 12 ? 'Enter the expiry date as MM/YY.' : expired ? 'This card has expired.' : ''),
      fieldError($('card-cvc'), /^\d{3,4}$/.test(cvc) ? '' : 'Enter the 3 or 4 digit security code.'),
    ];
    if (ok.indexOf(false) !== -1) {
      var first = form.querySelector('[aria-invalid="true"]');
      if (first) first.focus();
      return null;
    }
    return { number: number, expMonth: month, expYear: year, cvc: cvc, name: name };
  }

  // A merchant paid through Stripe: Stripe.js's Payment Element takes the card (stripe-payment.js).
  var stripeForm = !!form && !!form.getAttribute('data-stripe-key');

  if (form && stripeForm) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (payButton.disabled || blocked || !window.HandoffStripe) return;
      showError('');
      paying = true;
      setBusy(payButton, true, 'Processing…', payLabel);
      window.HandoffStripe.paymentMethod()
        .then(function (pm) {
          return api('/pay', { payment_method: pm }).then(handleAnswer, function () {
            showError('We could not reach the payment service. Check your connection and try again.');
          });
        }, function () { /* the element shows what is wrong */ })
        .then(function () {
          paying = false;
          setBusy(payButton, false, '', payLabel);
        });
    });
    payButton.disabled = blocked;
    root.addEventListener('handoff:view', function (e) {
      var view = e.detail;
      if (!view || !view.amount_due) return;
      blocked = !!(view.blockers && view.blockers.length);
      form.setAttribute('data-blocked', blocked ? 'true' : 'false');
      payLabel = 'Pay ' + view.amount_due.display;
      if (window.HandoffStripe) window.HandoffStripe.setAmount(view.amount_due.amount_minor);
      if (!paying) setBusy(payButton, false, '', payLabel);
    });
  }

  if (form && !stripeForm && $('card-number')) {
    $('card-number').addEventListener('input', function (e) {
      var input = e.target;
      if (input.selectionStart !== input.value.length) return; // editing mid-number: leave it be
      var digits = digitsOf(input.value).replace(/\D/g, '').slice(0, 19);
      input.value = digits.replace(/(\d{4})(?=\d)/g, '$1 ');
    });

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (payButton.disabled || blocked) return;
      showError('');
      var card = readCard();
      if (!card) return;
      paying = true;
      setBusy(payButton, true, 'Processing…', payLabel);
      api('/pay', { card: card })
        .then(handleAnswer, function () { showError('We could not reach the payment service. Check your connection and try again.'); })
        .then(function () {
          paying = false;
          setBusy(payButton, false, '', payLabel);
        });
    });
    payButton.disabled = blocked;

    // A new view (after a buyer change, or reloaded): the amount the Pay button charges and whether it may.
    root.addEventListener('handoff:view', function (e) {
      var view = e.detail;
      if (!view || !view.amount_due) return;
      blocked = !!(view.blockers && view.blockers.length);
      form.setAttribute('data-blocked', blocked ? 'true' : 'false');
      payLabel = 'Pay ' + view.amount_due.display;
      if (!paying) setBusy(payButton, false, '', payLabel);
    });
  }

  function answerChallenge(approved) {
    var approve = $('challenge-approve');
    var fail = $('challenge-fail');
    approve.disabled = fail.disabled = true;
    showError('');
    api('/three-d-secure', { approved: approved })
      .then(handleAnswer, function () { showError('We could not reach the payment service. Check your connection and try again.'); })
      .then(function () { approve.disabled = fail.disabled = false; });
  }

  if (challenge && !stripeChallenge) {
    $('challenge-approve').addEventListener('click', function () { answerChallenge(true); });
    $('challenge-fail').addEventListener('click', function () { answerChallenge(false); });
  }

  // Back from Stripe's 3-D Secure (Stripe adds payment_intent and redirect_status to this page's
  // URL): ask Handoff to read the outcome from Stripe instead of waiting for its webhook.
  var initial = root.getAttribute('data-state');
  if (stripeChallenge && initial === 'challenge' && new URLSearchParams(window.location.search).get('redirect_status')) {
    statusBox.textContent = 'Checking your payment…';
    api('/three-d-secure', { approved: true }).then(handleAnswer, function () { startWatching(); });
    return;
  }

  // The server rendered the current step; pick up the ones that move on their own.
  if (initial === 'processing' || initial === 'challenge') startWatching();
  if (initial === 'paid') finish(root.getAttribute('data-success-url'));
})();
