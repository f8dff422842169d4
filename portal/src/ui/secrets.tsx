// Secrets shown once (a new API key, a webhook signing secret): in a read-only field the reader
// can select or copy, with a plain warning that Handoff will not show it again, until dismissed.
// Shared actions: a button that asks to confirm before doing something that cannot be undone.
import { useId, useState, type ReactNode } from 'react';

export function SecretOnce({ label, secret, onDismiss, children }: { label: string; secret: string; onDismiss(): void; children?: ReactNode }) {
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'no'>();
  return (
    <div className="secret-once" role="region" aria-label={`${label}, shown once`}>
      <p className="secret-warning">
        <strong>Copy it now:</strong> this is the only time Handoff shows it. Only its hash is kept.
      </p>
      {children}
      <label htmlFor={id}>{label}</label>
      <div className="secret-row">
        <input id={id} className="secret-value" readOnly value={secret} onFocus={(e) => e.currentTarget.select()} spellCheck={false} autoComplete="off" />
        <button
          type="button"
          className="button button-secondary"
          onClick={() =>
            navigator.clipboard?.writeText(secret).then(
              () => setCopied('yes'),
              () => setCopied('no'),
            ) ?? setCopied('no')
          }
        >
          Copy
        </button>
        <button type="button" className="button" onClick={onDismiss}>
          I have stored it
        </button>
      </div>
      <p className="hint" aria-live="polite">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'Copying is not allowed here: select the text and copy it.' : ''}
      </p>
    </div>
  );
}

/** "Revoke" → "Revoke key prefix_…?" [Yes, revoke] [Cancel]: two clicks for what cannot be undone. */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  disabled,
  danger = true,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm(): void | Promise<void>;
  disabled?: boolean;
  danger?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <button type="button" className={danger ? 'button button-danger' : 'button button-secondary'} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        className={danger ? 'button button-danger' : 'button'}
        disabled={busy}
        autoFocus
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="button button-secondary" disabled={busy} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** An idempotency key per attempt (getRandomValues works over plain http too). */
export function newIdempotencyKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A date-time as the reader reads it, or an em dash. */
export function formatWhen(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}
