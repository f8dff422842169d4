// Watches a checkout's payment until it settles, live: a graphql-ws subscription to
// paymentIntentUpdated(checkoutSessionId), authenticated with the page's client secret, on this
// page's own origin. Each event re-reads the public view (the one thing the page renders). A slow
// safety poll covers an event that lands before the subscription is registered, and the page falls
// back to polling when WebSockets are refused or unavailable.
// Shape kept for checkout.js: watchPayment(load, onView, options) → stop().
(function () {
  'use strict';

  var SUBSCRIPTION =
    'subscription HostedPagePayment($id: ID!) { paymentIntentUpdated(checkoutSessionId: $id) { id status nextAction { type url } lastPaymentError { code declineCode message } } }';

  /**
   * @param {() => Promise<object | null>} load   fetches the public view (null on a failed fetch)
   * @param {(view: object) => void} onView        called with every view fetched
   * @param {{ keepWatching: (view: object) => boolean, sessionId?: string, clientSecret?: string,
   *           pollMs?: number, safetyPollMs?: number, maxMs?: number }} options
   * @returns {() => void} stop
   */
  function watchPayment(load, onView, options) {
    var stopped = false;
    var timer = null;
    var socket = null;
    var attempt = 0;
    var live = false;
    var deadline = Date.now() + (options.maxMs || 10 * 60 * 1000);

    function refresh() {
      return load().then(function (view) {
        if (stopped || !view) return;
        onView(view);
        if (!options.keepWatching(view)) stop();
      });
    }

    // Polls every pollMs without a live socket, every safetyPollMs with one.
    function schedule() {
      if (stopped || Date.now() > deadline) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        refresh().catch(function () {}).then(schedule);
      }, live ? options.safetyPollMs || 5000 : options.pollMs || 1500);
    }

    function connect() {
      if (stopped || !window.WebSocket || !options.sessionId || !options.clientSecret) return;
      var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
      try {
        socket = new WebSocket(url, 'graphql-transport-ws');
      } catch (e) {
        return;
      }
      socket.onopen = function () {
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer ' + options.clientSecret } }));
      };
      socket.onmessage = function (event) {
        var msg;
        try {
          msg = JSON.parse(event.data);
        } catch (e) {
          return;
        }
        if (msg.type === 'connection_ack') {
          attempt = 0;
          live = true;
          socket.send(JSON.stringify({ id: 'payment', type: 'subscribe', payload: { query: SUBSCRIPTION, variables: { id: options.sessionId } } }));
          refresh().catch(function () {});
          schedule();
        } else if (msg.type === 'ping') {
          socket.send(JSON.stringify({ type: 'pong' }));
        } else if (msg.type === 'next') {
          refresh().catch(function () {});
        } else if (msg.type === 'error') {
          live = false;
          schedule();
        }
      };
      socket.onclose = function (event) {
        socket = null;
        live = false;
        if (stopped) return;
        schedule();
        // Refused (44xx): stay on polling. Otherwise reconnect with backoff, a few times.
        if ((event.code >= 4400 && event.code < 4500) || attempt >= 5) return;
        setTimeout(connect, Math.min(10000, 500 * Math.pow(2, attempt++)));
      };
    }

    function stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (socket) {
        try {
          socket.close(1000, 'done');
        } catch (e) {
          /* already closing */
        }
      }
    }

    schedule();
    connect();
    return stop;
  }

  window.HandoffPaymentWatch = { watchPayment: watchPayment, SUBSCRIPTION: SUBSCRIPTION };
})();
