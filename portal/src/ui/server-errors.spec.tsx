import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FieldProblem, FormProblems, fieldIn, localProblem, problemAt, problemsElsewhere, serverProblems } from './server-errors';

const refused = {
  graphQLErrors: [
    { message: 'retryDays[1]: retry days must be strictly increasing.', extensions: { code: 'INVALID_DUNNING_SCHEDULE', field: 'retryDays[1]', reason: 'dunning:not_increasing' } },
    { message: 'input.events[0]: unknown', extensions: { code: 'BAD_USER_INPUT', field: 'input.events[0]' } },
    { message: 'Only an owner may use createApiKey.', extensions: { code: 'ROLE_FORBIDDEN' } },
  ],
};

describe('server problems', () => {
  it('keeps each error’s code, message, field (without "input.") and reason', () => {
    expect(serverProblems(refused)).toEqual([
      { code: 'INVALID_DUNNING_SCHEDULE', message: refused.graphQLErrors[0]!.message, field: 'retryDays[1]', reason: 'dunning:not_increasing' },
      { code: 'BAD_USER_INPUT', message: 'input.events[0]: unknown', field: 'events[0]' },
      { code: 'ROLE_FORBIDDEN', message: 'Only an owner may use createApiKey.' },
    ]);
    expect(serverProblems({ networkError: new Error('x') })).toEqual([{ code: 'UNREACHABLE', message: expect.any(String) }]);
    expect(serverProblems(undefined)).toEqual([]);
  });

  it('puts a problem at the field it names or inside it, and the rest on the form', () => {
    expect(fieldIn('retryDays[1]', 'retryDays')).toBe(true);
    expect(fieldIn('commissionTerms.cpa.amountMinor', 'commissionTerms.cpa')).toBe(true);
    expect(fieldIn('commissionTerms.cpaX', 'commissionTerms.cpa')).toBe(false);
    expect(fieldIn(undefined, 'x')).toBe(false);
    const problems = serverProblems(refused);
    expect(problemAt(problems, 'retryDays')?.code).toBe('INVALID_DUNNING_SCHEDULE');
    expect(problemsElsewhere(problems, ['retryDays', 'events']).map((p) => p.code)).toEqual(['ROLE_FORBIDDEN']);
  });

  it('renders the code beside the message as an alert (as text), a local problem without a code', () => {
    const html = renderToStaticMarkup(<FieldProblem id="p" problem={{ code: 'BAD_USER_INPUT', message: '<b>x</b>' }} />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('<code class="error-code">BAD_USER_INPUT</code>');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(renderToStaticMarkup(<FieldProblem id="p" problem={localProblem('x', 'Enter a number')} />)).not.toContain('<code');
    expect(renderToStaticMarkup(<FormProblems problems={[]} />)).toBe('');
  });
});
