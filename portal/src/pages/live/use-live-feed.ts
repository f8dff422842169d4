import { useEffect, useState } from 'react';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { useLiveClient } from '../../api/live-client';
import { subscribeFeed } from '../../api/live-feed';

export type Connection = 'connecting' | 'live' | 'reconnecting';

/** The live connection's state, for the page's status line. */
export function useConnectionState(): Connection {
  const client = useLiveClient();
  const [state, setState] = useState<Connection>('connecting');
  useEffect(() => {
    const offs = [client.on('connected', () => setState('live')), client.on('closed', () => setState((s) => (s === 'connecting' ? s : 'reconnecting')))];
    return () => offs.forEach((off) => off());
  }, [client]);
  return state;
}

/** Calls `onEvent` for each event of `document`, resuming after reconnects when `resumeArgument` is given. */
export function useLiveFeed<T>(document: TypedDocumentNode<T, any>, onEvent: (data: T) => void, resumeArgument?: string): string | undefined {
  const client = useLiveClient();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    return subscribeFeed<T>(
      client,
      document,
      {
        onEvent: (e) => {
          setError(undefined);
          onEvent(e.data);
        },
        onError: setError,
      },
      { resumeArgument },
    );
    // onEvent is a state setter wrapper: stable per page.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, document, resumeArgument]);
  return error;
}
