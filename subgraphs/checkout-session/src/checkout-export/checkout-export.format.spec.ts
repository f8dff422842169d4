import { describe, expect, it } from 'vitest';
import { csvLine, fileHeader, fileLine } from './checkout-export.format.js';

describe('export formats', () => {
  const columns = ['id', 'at', 'summary', 'data', 'count'];
  const record = { id: 'tle_1', at: new Date('2026-05-01T10:00:00Z'), summary: 'Payment declined: "card", twice\nagain', data: { code: 'x' }, count: 2 };

  it('writes CSV by RFC 4180 with a header, JSON for objects, CRLF line ends', () => {
    expect(fileHeader('csv', columns)).toBe('id,at,summary,data,count\r\n');
    expect(fileLine('csv', columns, record)).toBe('tle_1,2026-05-01T10:00:00.000Z,"Payment declined: ""card"", twice\nagain","{""code"":""x""}",2\r\n');
    expect(csvLine([null, undefined, '', true])).toBe(',,,true\r\n');
  });

  it("defuses text a spreadsheet would run as a formula, never a number", () => {
    expect(csvLine(['=HYPERLINK("x")', '+1', '-2', '@sum', -3])).toBe(`"'=HYPERLINK(""x"")",'+1,'-2,'@sum,-3\r\n`);
  });

  it('writes NDJSON one object a line, in column order, absent values null', () => {
    expect(fileHeader('ndjson', columns)).toBe('');
    const line = fileLine('ndjson', columns, { ...record, count: undefined });
    expect(line.endsWith('\n')).toBe(true);
    expect(Object.keys(JSON.parse(line))).toEqual(columns);
    expect(JSON.parse(line)).toMatchObject({ at: '2026-05-01T10:00:00.000Z', data: { code: 'x' }, count: null, summary: record.summary });
  });
});
