// Set-based SQL moves conversions too (settlement, a paid batch): it must make only the moves the
// state table allows, and say which. Reads every raw statement of this package that writes
// ledger.conversions.status, and every TypeScript assignment of a conversion's status.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canTransition as tableAllows } from '@handoff/shared';
import { describe, expect, it } from 'vitest';
import { ConversionStatus } from './conversion.enums.js';
import { canTransition, conversionSqlMoves, conversionStates } from './conversion.states.js';

const SRC = fileURLToPath(new URL('..', import.meta.url));
const MOVES = conversionSqlMoves as Record<string, (typeof conversionSqlMoves)[keyof typeof conversionSqlMoves]>;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const STATUS_NAME = /^[A-Z_]+$/;
const quoted = (expr: string) => /^'([A-Z_]+)'$/.exec(expr.trim())?.[1];
const moveTarget = (expr: string) => /^\$\{sqlStatus\((\w+)\.to\)\}$/.exec(expr.trim())?.[1];

/**
 * What is wrong with the conversion status writes in `text`: an UPDATE of ledger.conversions whose
 * `SET status =` is not a named move's target (or, for a literal, a move the table refuses), a
 * named move whose WHERE does not start from its `from`, a run-table status (`r.status`) set by
 * anything but named moves, and a TypeScript `x.status =` outside conversion.store.ts.
 */
export function statusWriteProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  const updates = /UPDATE\s+ledger\.conversions\b(?:\s+\w+)?\s+SET\b([\s\S]*?)(?:\bWHERE\b([\s\S]*?))?(?=`)/g;
  for (const [, setAndFrom = '', where = ''] of text.matchAll(updates)) {
    const set = setAndFrom.split(/\bFROM\b/)[0]!;
    for (const [, rhs = ''] of set.matchAll(/(?:^|[\s,])status\s*=\s*([^,\n]+)/g)) {
      const expr = rhs.trim();
      const literal = quoted(expr);
      const move = moveTarget(expr);
      if (literal) {
        const froms = [...where.matchAll(/\bstatus\s*=\s*'([A-Z_]+)'/g)].map((m) => m[1]!);
        const refused = froms.filter((from) => !canTransition(from as ConversionStatus, literal as ConversionStatus));
        if (froms.length === 0) problems.push(`${file}: sets status ${literal} from any status`);
        for (const from of refused) problems.push(`${file}: moves ${from} -> ${literal}, which the state table does not allow`);
        if (froms.length > 0 && refused.length === 0) problems.push(`${file}: sets status '${literal}' as a literal: take it from a conversionSqlMoves move`);
      } else if (move) {
        if (!MOVES[move]) problems.push(`${file}: ${move} is not a conversionSqlMoves move`);
        else if (!where.includes(`status = \${sqlStatus(${move}.from)}`)) problems.push(`${file}: sets ${move}.to without WHERE status = ${move}.from`);
      } else if (expr === 'r.status') {
        // The settlement run's table: its status column is written by named moves only (below).
      } else {
        problems.push(`${file}: sets status = ${expr}, which names no move`);
      }
    }
  }
  // The settlement run's projected status (its temp table's, copied by `status = r.status`): each
  // THEN/ELSE that yields a status is a named move's target, never a literal.
  for (const [run = ''] of text.matchAll(/INSERT INTO \$\{RUN_TABLE\}[^`]*/g)) {
    for (const [, expr = ''] of run.matchAll(/\b(?:THEN|ELSE)\s+('[A-Z_]+'|\$\{sqlStatus\([^)]*\)\})/g)) {
      const move = moveTarget(expr);
      if (quoted(expr)) problems.push(`${file}: the run sets status ${expr} as a literal`);
      else if (!move || !MOVES[move]) problems.push(`${file}: the run sets status ${expr}, which names no move`);
    }
  }
  if (!file.endsWith('conversion.store.ts')) {
    for (const [line] of text.matchAll(/^\s*[\w.]+\.status\s*=(?!=)[^`]*;\s*$/gm)) problems.push(`${file}: assigns a status outside conversion.store.ts: ${line.trim()}`);
  }
  return problems;
}

describe('conversion status moves in SQL', () => {
  it('names only moves the state table allows, each step of each', () => {
    for (const [name, move] of Object.entries(MOVES)) {
      expect(move.name).toBe(name);
      expect(move.from).toBe(move.path[0]);
      expect(move.to).toBe(move.path.at(-1));
      expect(move.steps).toBe(move.path.length - 1);
      for (let i = 1; i < move.path.length; i++) expect(tableAllows(conversionStates, move.path[i - 1]!, move.path[i]!)).toBe(true);
      for (const s of move.path) expect(STATUS_NAME.test(s)).toBe(true);
    }
    // The run's CASE validates a PENDING conversion, then maybe makes it payable: one start for both.
    expect(conversionSqlMoves.validateToPayable.from).toBe(conversionSqlMoves.validate.from);
  });

  it('finds every status write of the package made through a named move (settlement, paid batches)', () => {
    const files = sources(SRC);
    const problems = files.flatMap((f) => statusWriteProblems(relative(SRC, f), readFileSync(f, 'utf8')));
    expect(problems).toEqual([]);
    // The scan reads the statements it is about: the paid batch's UPDATE and the run's.
    const all = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(all).toContain('SET status = ${sqlStatus(pay.to)}');
    expect(all).toContain('status = r.status');
  });

  it('fails on SQL that makes a move the table does not allow, or names no move', () => {
    const sql = (s: string) => `await m.query(\`${s}\`);`;
    expect(statusWriteProblems('x.ts', sql(`UPDATE ledger.conversions c SET status = 'PAID', version = version + 1 WHERE c.status = 'PENDING'`))).toEqual([
      'x.ts: moves PENDING -> PAID, which the state table does not allow',
    ]);
    expect(statusWriteProblems('x.ts', sql(`UPDATE ledger.conversions SET status = 'REJECTED' WHERE id = $1`))).toEqual(['x.ts: sets status REJECTED from any status']);
    expect(statusWriteProblems('x.ts', sql(`UPDATE ledger.conversions c SET status = 'PAID' FROM ledger.settlement_lines l WHERE c.status = 'PAYABLE'`))).toEqual([
      "x.ts: sets status 'PAID' as a literal: take it from a conversionSqlMoves move",
    ]);
    expect(statusWriteProblems('x.ts', sql(`UPDATE ledger.conversions SET status = $2 WHERE id = $1`))).toEqual(['x.ts: sets status = $2, which names no move']);
    expect(statusWriteProblems('x.ts', sql('UPDATE ledger.conversions c SET status = ${sqlStatus(pay.to)} WHERE c.id = $1'))).toEqual([
      'x.ts: sets pay.to without WHERE status = pay.from',
    ]);
    expect(statusWriteProblems('x.ts', sql('UPDATE ledger.conversions c SET status = ${sqlStatus(pay.to)} WHERE c.status = ${sqlStatus(pay.from)}'))).toEqual([]);
    expect(statusWriteProblems('x.ts', sql("INSERT INTO ${RUN_TABLE} SELECT CASE WHEN x THEN 'PAYABLE' ELSE c.status END"))).toEqual([
      "x.ts: the run sets status 'PAYABLE' as a literal",
    ]);
    expect(statusWriteProblems('x.service.ts', '        c.status = ConversionStatus.REJECTED;')).toEqual([
      'x.service.ts: assigns a status outside conversion.store.ts: c.status = ConversionStatus.REJECTED;',
    ]);
    // Statuses of other tables (a batch's OPEN/PAID) are not the conversion's.
    expect(statusWriteProblems('x.ts', sql(`UPDATE ledger.settlement_batches SET status = 'PAID' WHERE id = $1`))).toEqual([]);
  });
});
