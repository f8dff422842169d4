// The portal's GraphQL clients, both on the gateway's /graphql and authenticated by the session
// cookie (docs/portal-auth.md): urql for queries and mutations (X-CSRF-Token on every request),
// graphql-ws for live data (the cookie of the upgrade request; no `authorization` in
// connection_init, which would make the gateway look for an API key instead).
import { Client, cacheExchange, fetchExchange, mapExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { csrfToken } from './csrf';

export const GRAPHQL_PATH = '/graphql';

export function createGraphqlClient(onUnauthenticated: () => void): Client {
  return new Client({
    url: GRAPHQL_PATH,
    exchanges: [
      // No session any more (signed out in another tab, revoked, expired): the cookie is gone or
      // refused, and the graph answers UNAUTHENTICATED (HTTP 401, or 200 with the error when no
      // cookie is left at all). Either way the reader is sent to sign in again.
      mapExchange({
        onError(error) {
          if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
    // Lists and figures change under the reader: network first, the cache only for re-renders.
    requestPolicy: 'cache-and-network',
    preferGetMethod: false,
    fetchOptions: (): RequestInit => {
      const token = csrfToken();
      const headers: Record<string, string> = token ? { 'x-csrf-token': token } : {};
      return { credentials: 'same-origin', headers };
    },
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (res.status === 401) onUnauthenticated();
      return res;
    },
  });
}

/** Close codes after which reconnecting is pointless: refused credentials (the session ended). */
const FATAL_CLOSE_CODES = new Set([4401, 4403]);

export function websocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${GRAPHQL_PATH}`;
}

export function createLiveClient(onUnauthenticated: () => void): WsClient {
  return createWsClient({
    url: websocketUrl(window.location),
    lazy: true,
    // A dropped connection (network, gateway restart, 1013 slow consumer) comes back for as long
    // as the page is open; subscriptions resume from their last cursor (live-feed.ts).
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (event) => {
      const code = (event as CloseEvent | undefined)?.code;
      if (code !== undefined && FATAL_CLOSE_CODES.has(code)) {
        onUnauthenticated();
        return false;
      }
      return true;
    },
    keepAlive: 20_000,
  });
}
