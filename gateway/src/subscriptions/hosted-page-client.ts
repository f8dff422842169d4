// For the hosted checkout page (gateway/src/hosted-page): a dependency-free browser script that
// watches its session's payment live over graphql-ws, so 3-D Secure and PROCESSING cards move on
// by themselves. Inline it once (`<script>${LIVE_PAYMENT_SCRIPT}</script>`), then in the page:
//
//   handoffWatchPayment({ checkoutSessionId, clientSecret, onUpdate(intent) { … }, onError(e) { … } })
//
// It connects to `/graphql` on the page's own origin (ws: or wss:), authenticates with the
// session's client secret in connection_init, subscribes to
// `paymentIntentUpdated(checkoutSessionId) { id status nextAction { type url } lastPaymentError { code declineCode message } }`,
// reconnects with backoff (not after a refusal: 4403, 44xx), and returns a function that stops it.
// A page that also polls GET /api/checkout/{id} on reconnect covers events missed while offline.
export const PAYMENT_STATUS_SUBSCRIPTION = `subscription HostedPagePayment($id: ID!) {
  paymentIntentUpdated(checkoutSessionId: $id) {
    id status nextAction { type url } lastPaymentError { code declineCode message }
  }
}`;

export const LIVE_PAYMENT_SCRIPT = `
function handoffWatchPayment(opts) {
  var stopped = false, socket = null, attempt = 0;
  var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
  var query = ${JSON.stringify(PAYMENT_STATUS_SUBSCRIPTION)};
  function connect() {
    if (stopped) return;
    socket = new WebSocket(url, 'graphql-transport-ws');
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer ' + opts.clientSecret } }));
    };
    socket.onmessage = function (event) {
      var msg = JSON.parse(event.data);
      if (msg.type === 'connection_ack') {
        attempt = 0;
        socket.send(JSON.stringify({ id: 'payment', type: 'subscribe', payload: { query: query, variables: { id: opts.checkoutSessionId } } }));
      } else if (msg.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      } else if (msg.type === 'next' && msg.payload.data) {
        opts.onUpdate && opts.onUpdate(msg.payload.data.paymentIntentUpdated);
      } else if (msg.type === 'error') {
        opts.onError && opts.onError(msg.payload);
      }
    };
    socket.onclose = function (event) {
      if (stopped) return;
      if (event.code >= 4400 && event.code < 4500) return opts.onError && opts.onError({ closeCode: event.code });
      opts.onReconnect && opts.onReconnect();
      setTimeout(connect, Math.min(30000, 500 * Math.pow(2, attempt++)));
    };
  }
  connect();
  return function stop() { stopped = true; if (socket) socket.close(1000, 'done'); };
}
`;
