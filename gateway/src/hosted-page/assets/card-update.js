// The card-update page's behaviour (issue 22; gateway/src/hosted-page/card-update/): the new card
// → POST /api/billing/card-update/<token> → saved (and, for a past-due subscription, its invoice
// paid) or the error shown, the form kept for another card. The link's token is the page's path;
// the card number goes only into that request: never stored, never logged.
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
    $('status-text').textContent = String(answer.status || '').replace('_', ' ');
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
    var card = readCard();
    if (!card) return;
    button.disabled = true;
    button.textContent = 'Saving…';
    statusBox.textContent = 'Saving your card…';
    fetch('/api/billing/card-update/' + encodeURIComponent(token), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ card: card }),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (body) { return { status: res.status, body: body }; });
      })
      .then(function (r) {
        statusBox.textContent = '';
        if (r.status === 200) return done(r.body);
        if (r.status === 400 && r.body.field) fieldError(fieldInput(r.body.field), r.body.error);
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
