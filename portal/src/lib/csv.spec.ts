import { describe, expect, it } from 'vitest';
import { csvNumber, toCsv } from './csv';

describe('toCsv', () => {
  it('quotes commas, quotes and line breaks; ends every line with CRLF', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], ['two\nlines', null]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n"two\nlines",\r\n');
  });

  it('neutralises text that a spreadsheet would run as a formula, but not amounts', () => {
    const csv = toCsv(['t'], [['=HYPERLINK("http://x")'], ['+1'], ['-2'], ['@SUM(A1)'], ['\tx'], [csvNumber('-1.50')], [-3], ['plain']]);
    expect(csv.split('\r\n')).toEqual(['t', `"'=HYPERLINK(""http://x"")"`, "'+1", "'-2", "'@SUM(A1)", "'\tx", '-1.50', '-3', 'plain', '']);
  });
});
