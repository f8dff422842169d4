import { createContext, useContext } from 'react';
import type { Client } from 'graphql-ws';

export const LiveClientContext = createContext<Client | undefined>(undefined);

export function useLiveClient(): Client {
  const client = useContext(LiveClientContext);
  if (!client) throw new Error('useLiveClient outside the signed-in layout');
  return client;
}
