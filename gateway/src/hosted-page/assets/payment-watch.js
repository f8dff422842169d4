// Watches a checkout's payment until it settles. Today it polls the public API every 1.5 s;
// it is the one piece to swap for a graphql-ws subscription (paymentIntentUpdated), keeping
// the same shape: watchPayment(load, onView, { keepWatching }) → stop().
(function () {
  'use strict';

  /**
   * @param {() => Promise<object | null>} load   fetches the public view (null on a failed fetch)
   * @param {(view: object) => void} onView        called with every view fetched
   * @param {{ keepWatching: (view: object) => boolean, intervalMs?: number, maxMs?: number }} options
   * @returns {() => void} stop
   */
  function watchPayment(load, onView, options) {
    var intervalMs = options.intervalMs || 1500;
    var deadline = Date.now() + (options.maxMs || 10 * 60 * 1000);
    var stopped = false;
    var timer = null;

    function tick() {
      if (stopped) return;
      load()
        .then(function (view) {
          if (stopped) return;
          if (view) {
            onView(view);
            if (!options.keepWatching(view)) return stop();
          }
          if (Date.now() < deadline) timer = setTimeout(tick, intervalMs);
        })
        .catch(function () {
          if (!stopped && Date.now() < deadline) timer = setTimeout(tick, intervalMs);
        });
    }

    function stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    }

    timer = setTimeout(tick, intervalMs);
    return stop;
  }

  window.HandoffPaymentWatch = { watchPayment: watchPayment };
})();
