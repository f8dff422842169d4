// The designed states every page uses instead of a blank area: loading, empty, error.
import type { ReactNode } from 'react';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children ? <div className="state-body">{children}</div> : null}
    </div>
  );
}

export function ErrorState({ title = 'Something went wrong', message, onRetry }: { title?: string; message?: string; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{title}</p>
      {message ? <p className="state-body">{message}</p> : null}
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** A GraphQL error as a reader sees it: the server's message (already masked by the gateway), never a stack. */
export function errorMessage(error: { graphQLErrors?: ReadonlyArray<{ message: string }>; networkError?: Error } | undefined): string | undefined {
  if (!error) return undefined;
  if (error.graphQLErrors?.length) return error.graphQLErrors[0]!.message;
  if (error.networkError) return 'The server could not be reached. Check your connection and try again.';
  return undefined;
}
