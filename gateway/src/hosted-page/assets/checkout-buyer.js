// The hosted checkout page's buyer step (issue 18, item 8): promotion codes, the shipping address,
// the delivery choice and the billing address. Each change goes to this origin's JSON API, which
// runs the buyer operation and calculateCheckout and answers the page's view as it now is; the view
// is then published as a `handoff:view` event on #checkout, which re-renders the order summary,
// the choices and what stands in the way of paying here, and the Pay button in checkout.js.
// The markup is page-buyer-html.ts's (the server renders the same first).
(function () {
  'use strict';

  var root = document.getElementById('checkout');
  if (!root) return;
  var sessionId = root.getAttribute('data-session-id') || '';
  var secret = new URLSearchParams(window.location.search).get('cs') || '';
  var $ = function (id) { return document.getElementById(id); };
  var changing = false;

  function api(method, path, body) {
    var headers = { authorization: 'Bearer ' + secret };
    if (body) headers['content-type'] = 'application/json';
    return fetch('/api/checkout/' + encodeURIComponent(sessionId) + path, {
      method: method,
      headers: headers,
      body: body ? JSON.stringify(body) : undefined,
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { return { status: res.status, body: json }; });
    });
  }

  // --- rendering -----------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function replaceChildren(node, children) {
    while (node.firstChild) node.removeChild(node.firstChild);
    children.forEach(function (c) { node.appendChild(c); });
  }

  function moneyRow(label, display, className) {
    var attrs = className ? { class: className } : {};
    return el('tr', attrs, [el('th', { scope: 'row', colspan: '2', text: label }), el('td', { text: display })]);
  }

  function lineRow(name, unit, quantity, amount) {
    return el('tr', {}, [
      el('th', { scope: 'row', class: 'item' }, [el('bdi', { text: name }), el('span', { class: 'unit', text: unit + ' each' })]),
      el('td', { class: 'qty', text: String(quantity) }),
      el('td', { text: amount }),
    ]);
  }

  /** [label, display, class] rows of the summary's footer (page-buyer-html.ts summaryTotals). */
  function totalRows(view) {
    var p = view.pricing;
    var rows = [];
    if (!p) {
      var t = view.totals;
      rows.push(['Subtotal', t.subtotal.display]);
      if (t.discount.amount_minor !== 0) rows.push(['Discount', '−' + t.discount.display]);
      if (t.tax.amount_minor !== 0) rows.push(['Tax', t.tax.display]);
      if (t.shipping.amount_minor !== 0) rows.push(['Shipping', t.shipping.display]);
      rows.push(['Total', t.total.display, 'total']);
      return rows;
    }
    rows.push(['Subtotal', p.totals.subtotal.display]);
    p.discounts.forEach(function (d) { rows.push([d.label, '−' + d.amount.display, 'discount']); });
    if (p.shipping) rows.push([(p.shipping.kind === 'pickup' ? 'Pickup' : 'Shipping') + ' (' + p.shipping.label + ')', p.shipping.price_display, 'shipping']);
    if (!p.prices_include_tax && p.totals.tax.amount_minor !== 0) rows.push([p.tax_label, p.totals.tax.display, 'tax']);
    rows.push(['Total', p.totals.total.display, 'total']);
    return rows;
  }

  function renderSummary(view) {
    var lines = view.pricing
      ? view.pricing.lines.map(function (l) { return lineRow(l.name, l.unit_amount.display, l.quantity, l.amount_subtotal.display); })
      : view.line_items.map(function (l) { return lineRow(l.name, l.unit_amount.display, l.quantity, l.amount_total.display); });
    replaceChildren($('summary-lines'), lines);
    var rows = totalRows(view);
    var footer = rows.map(function (r) { return moneyRow(r[0], r[1], r[2]); });
    var p = view.pricing;
    var included = p && p.prices_include_tax && p.totals.included_tax.amount_minor > 0 ? 'Includes ' + p.totals.included_tax.display + ' ' + p.tax_label : '';
    if (included) footer.push(el('tr', { class: 'included-tax' }, [el('td', { colspan: '3', text: included })]));
    replaceChildren($('summary-totals'), footer);
    var status = $('amount-status');
    var kind = status && status.getAttribute('data-kind');
    if (kind === 'due' || kind === 'total') $('amount-due').textContent = view.amount_due.display;
    $('totals-live').textContent = 'Order summary updated. ' + rows.map(function (r) { return r[0] + ' ' + r[1]; }).join('. ') + '.' + (included ? ' ' + included + '.' : '');
  }

  function renderPromotions(view) {
    var list = $('promotion-codes');
    if (!list) return;
    replaceChildren(list, view.promotion_codes.map(function (code) {
      return el('li', {}, [
        el('span', { class: 'code', text: code }),
        document.createTextNode(' '),
        el('button', { type: 'button', class: 'link remove-code', 'data-code': code, 'aria-label': 'Remove code ' + code, text: 'Remove' }),
      ]);
    }));
  }

  function choice(value, label, price, detail, selected) {
    var id = 'choice-' + value.replace(/[^A-Za-z0-9_-]/g, '-');
    var input = el('input', { type: 'radio', name: 'shipping-choice', id: id, value: value });
    input.checked = value === selected;
    var parts = [el('span', { class: 'choice-label', text: label }), el('span', { class: 'choice-price', text: price })];
    if (detail) parts.push(el('span', { class: 'choice-detail', text: detail }));
    return el('div', { class: 'choice' }, [input, el('label', { for: id }, parts)]);
  }

  function renderDelivery(view) {
    if (!$('delivery')) return;
    $('delivery').hidden = !view.needs_address;
    $('delivery-heading').textContent = view.needs_shipping ? 'Delivery' : 'Your address';
    $('shipping-address-legend').textContent = view.needs_shipping ? 'Shipping address' : 'Address';
    $('shipping-address-save').textContent = view.shipping_address ? 'Update address' : 'Save address';
    $('shipping-address-form').setAttribute('data-saved', view.shipping_address ? 'true' : 'false');
    $('shipping-choices').hidden = !view.needs_shipping;
    var selected = view.selected_shipping ? view.selected_shipping.kind + ':' + view.selected_shipping.id : '';
    var hadFocus = $('shipping-choice-list').contains(document.activeElement);
    var choices = view.shipping_options.map(function (o) {
      var detail = [o.carrier, o.delivery_estimate && o.delivery_estimate.display].filter(Boolean).join(' · ');
      return choice('shipping:' + o.id, o.label, o.price_display, detail, selected);
    }).concat(view.pickup_options.map(function (p) {
      return choice('pickup:' + p.id, 'Collect from ' + p.name, 'Free', [p.postal_code, p.region].filter(Boolean).join(', '), selected);
    }));
    replaceChildren($('shipping-choice-list'), choices);
    $('shipping-choices-empty').hidden = choices.length > 0;
    if (hadFocus) {
      var checked = $('shipping-choice-list').querySelector('input:checked') || $('shipping-choice-list').querySelector('input');
      if (checked) checked.focus();
    }
  }

  function renderBilling(view) {
    if (!$('billing')) return;
    $('billing').hidden = !view.require_billing_address;
    $('billing-same').parentElement.hidden = !view.needs_address;
    $('billing-address-save').textContent = view.billing_address ? 'Update billing address' : 'Save billing address';
  }

  function renderBlockers(view) {
    var box = $('blockers');
    if (!box) return;
    box.hidden = view.blockers.length === 0;
    replaceChildren($('blocker-list'), view.blockers.map(function (b) { return el('li', { 'data-code': b.code, text: b.message }); }));
  }

  function changeable(view) {
    var status = view.payment && view.payment.status;
    return view.status === 'open' && (status === 'requires_payment_method' || status === 'requires_confirmation');
  }

  root.addEventListener('handoff:view', function (e) {
    var view = e.detail;
    if (!view || !$('summary-lines')) return;
    renderSummary(view);
    if (!changeable(view)) return;
    renderPromotions(view);
    renderDelivery(view);
    renderBilling(view);
    renderBlockers(view);
  });

  function publish(view) {
    root.dispatchEvent(new CustomEvent('handoff:view', { detail: view }));
  }

  // --- changes -------------------------------------------------------------------------------

  function fieldError(id, text) {
    var box = $(id + '-error');
    if (box) box.textContent = text || '';
    var input = $(id);
    if (input) {
      if (text) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
  }

  function pageError(text) {
    var box = $('error');
    if (box) box.textContent = text || '';
  }

  function setChanging(on) {
    changing = on;
    root.setAttribute('aria-busy', on ? 'true' : 'false');
    ['promotion-apply', 'shipping-address-save', 'billing-address-save'].forEach(function (id) { if ($(id)) $(id).disabled = on; });
    var radios = document.querySelectorAll('input[name="shipping-choice"]');
    for (var i = 0; i < radios.length; i++) radios[i].disabled = on;
  }

  /**
   * Sends one change; on 200 the new view is published. A refusal goes to `onRefused(body)`
   * (a field's error), or to the page's alert when it is not about a field.
   */
  function send(method, path, body, onRefused) {
    if (changing) return Promise.resolve(false);
    setChanging(true);
    pageError('');
    return api(method, path, body)
      .then(
        function (r) {
          if (r.status === 200) {
            publish(r.body);
            return true;
          }
          var b = r.body || {};
          if (b.session) publish(b.session);
          if (r.status === 404) pageError('This checkout link is no longer valid. Ask the merchant for a new one.');
          else if (!(onRefused && onRefused(b, r.status))) pageError(b.error || 'Something went wrong. Nothing was charged; please try again.');
          return false;
        },
        function () {
          pageError('We could not reach the checkout. Check your connection and try again.');
          return false;
        },
      )
      .then(function (ok) {
        setChanging(false);
        return ok;
      });
  }

  // Promotion codes.
  var promotionForm = $('promotion-form');
  if (promotionForm) {
    promotionForm.addEventListener('submit', function (e) {
      e.preventDefault();
      var input = $('promotion-code');
      var code = input.value.trim();
      if (!code) return fieldError('promotion-code', 'Enter a promotion code.');
      fieldError('promotion-code', '');
      send('POST', '/promotion-codes', { code: code }, function (b, status) {
        if (status !== 400 && status !== 422) return false;
        fieldError('promotion-code', b.error);
        input.focus();
        return true;
      }).then(function (ok) { if (ok) input.value = ''; });
    });
    $('promotion-codes').addEventListener('click', function (e) {
      var button = e.target.closest('.remove-code');
      if (!button) return;
      send('DELETE', '/promotion-codes/' + encodeURIComponent(button.getAttribute('data-code')), null, function (b) {
        fieldError('promotion-code', b.error);
        return true;
      });
    });
  }

  // Addresses.
  var ADDRESS_FIELDS = ['name', 'line1', 'line2', 'city', 'state', 'postal-code', 'country'];

  function readAddress(prefix) {
    var out = {};
    ADDRESS_FIELDS.forEach(function (f) { out[f.replace('-', '_')] = $(prefix + '-' + f).value.trim(); });
    return out;
  }

  function checkAddress(prefix, address) {
    var problems = [
      ['line1', address.line1 ? '' : 'Enter the first line of the address.'],
      ['city', address.city ? '' : 'Enter the town or city.'],
      ['country', address.country ? '' : 'Choose a country.'],
    ];
    ADDRESS_FIELDS.forEach(function (f) { fieldError(prefix + '-' + f, ''); });
    var first = null;
    problems.forEach(function (p) {
      if (!p[1]) return;
      fieldError(prefix + '-' + p[0], p[1]);
      if (!first) first = $(prefix + '-' + p[0]);
    });
    if (first) first.focus();
    return !first;
  }

  function addressRefused(prefix) {
    return function (b, status) {
      if (status !== 400 || !b.field) return false;
      var id = prefix + '-' + String(b.field).replace('_', '-');
      if (!$(id)) return false;
      fieldError(id, b.error);
      $(id).focus();
      return true;
    };
  }

  function billingSame() {
    var same = $('billing-same');
    return !!same && !same.parentElement.hidden && !$('billing').hidden && same.checked;
  }

  function saveBilling(address) {
    return send('POST', '/billing-address', address, addressRefused('billing'));
  }

  var shippingForm = $('shipping-address-form');
  if (shippingForm) {
    shippingForm.addEventListener('submit', function (e) {
      e.preventDefault();
      var address = readAddress('shipping');
      if (!checkAddress('shipping', address)) return;
      send('POST', '/shipping-address', address, addressRefused('shipping')).then(function (ok) {
        if (ok && billingSame()) return saveBilling(address);
      });
    });
    $('shipping-choice-list').addEventListener('change', function (e) {
      var value = e.target && e.target.name === 'shipping-choice' ? e.target.value : '';
      if (!value) return;
      var kind = value.slice(0, value.indexOf(':'));
      var id = value.slice(value.indexOf(':') + 1);
      fieldError('shipping-choice', '');
      send('POST', '/shipping', kind === 'pickup' ? { pickup_location_id: id } : { shipping_option_id: id }, function (b) {
        fieldError('shipping-choice', b.error);
        return true;
      });
    });
  }

  var billingForm = $('billing-address-form');
  if (billingForm) {
    billingForm.addEventListener('submit', function (e) {
      e.preventDefault();
      var address = readAddress('billing');
      if (checkAddress('billing', address)) saveBilling(address);
    });
    $('billing-same').addEventListener('change', function () {
      billingForm.hidden = billingSame();
      if (billingSame() && shippingForm && shippingForm.getAttribute('data-saved') === 'true') saveBilling(readAddress('shipping'));
    });
    // "Same as the shipping address" ticked for an address already given: the billing address follows it.
    if (billingSame() && shippingForm && shippingForm.getAttribute('data-saved') === 'true' && $('blocker-list') &&
        $('blocker-list').querySelector('[data-code="billing_address_required"]')) {
      saveBilling(readAddress('shipping'));
    }
  }
})();
