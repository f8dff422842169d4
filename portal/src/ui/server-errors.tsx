// What the server refused, as a form shows it: each GraphQL error's stable code, message and the
// input field it names (extensions.field, e.g. "commissionTerms.percentageBps", "retryDays[2]",
// "input.events[0]"). A form puts a problem beside the input it names and the rest above its
// submit button; the code is always shown (it is what support and the docs talk about).
import type { ReactNode } from 'react';

export interface ServerProblem {
  code: string;
  message: string;
  /** The field named by the server, without a leading "input.". */
  field?: string;
  reason?: string;
  /** Found by the page before sending (e.g. "abc" for a number): nothing was sent, no code. */
  local?: boolean;
}

/** A problem the page found before sending anything. */
export const localProblem = (field: string, message: string): ServerProblem => ({ code: '', message, field, local: true });

interface ErrorLike {
  graphQLErrors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
  networkError?: Error;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The server's problems of a failed operation; a network failure is one UNREACHABLE problem. */
export function serverProblems(error: ErrorLike | undefined): ServerProblem[] {
  if (!error) return [];
  if (error.graphQLErrors?.length) {
    return error.graphQLErrors.map((e) => {
      const ext = e.extensions ?? {};
      const field = text(ext.field)?.replace(/^input\./, '');
      return { code: text(ext.code) ?? 'INTERNAL_SERVER_ERROR', message: e.message, ...(field ? { field } : {}), ...(text(ext.reason) ? { reason: text(ext.reason) } : {}) };
    });
  }
  if (error.networkError) return [{ code: 'UNREACHABLE', message: 'The server could not be reached. Check your connection and try again.' }];
  return [];
}

/** True when `field` is `key` or inside it ("retryDays[2]" is inside "retryDays"). */
export function fieldIn(field: string | undefined, key: string): boolean {
  if (!field) return false;
  return field === key || field.startsWith(`${key}.`) || field.startsWith(`${key}[`);
}

/** The first problem about `key` (see fieldIn). */
export function problemAt(problems: readonly ServerProblem[], key: string): ServerProblem | undefined {
  return problems.find((p) => fieldIn(p.field, key));
}

/** The problems none of `keys` claims: shown for the whole form. */
export function problemsElsewhere(problems: readonly ServerProblem[], keys: readonly string[]): ServerProblem[] {
  return problems.filter((p) => !keys.some((k) => fieldIn(p.field, k)));
}

/** A problem as text: "BAD_USER_INPUT: commissionTerms.percentageBps: must be …". */
export function ProblemText({ problem }: { problem: ServerProblem }): ReactNode {
  if (problem.local) return <>{problem.message}</>;
  return (
    <>
      <code className="error-code">{problem.code}</code> {problem.message}
    </>
  );
}

/** A field's problem, announced; give the input aria-describedby={id} and aria-invalid. */
export function FieldProblem({ id, problem }: { id: string; problem: ServerProblem | undefined }) {
  if (!problem) return null;
  return (
    <p id={id} role="alert" className="form-error" data-error-code={problem.code || undefined}>
      <ProblemText problem={problem} />
    </p>
  );
}

/** The problems of a whole form (those no field claims). */
export function FormProblems({ problems }: { problems: readonly ServerProblem[] }) {
  if (!problems.length) return null;
  return (
    <div role="alert" className="form-error">
      {problems.map((p, i) => (
        <p key={i} className="form-error-line" data-error-code={p.code || undefined}>
          <ProblemText problem={p} />
        </p>
      ))}
    </div>
  );
}

/** aria attributes of an input with a problem. */
export function invalidProps(id: string, problem: ServerProblem | undefined): { 'aria-invalid'?: true; 'aria-describedby'?: string } {
  return problem ? { 'aria-invalid': true, 'aria-describedby': id } : {};
}
