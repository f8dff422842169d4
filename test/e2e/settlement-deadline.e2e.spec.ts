// runSettlement is one transaction over every conversion due: 100,000 take seconds, longer than
// the gateway's ordinary subgraph timeout on a slow machine. The gateway gives that call a
// deadline of its own (SETTLEMENT_TIMEOUT_MS), so the admin gets the run's batches, not an
// "Unexpected error." for a run that went on and committed. Here the ordinary timeout is 500 ms
// and the run is held up past it by another session holding the settlement lock. The stack runs
// on a database of its own: the locks taken here hold up nobody else's tests.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHandoff } from '@handoff/launcher';
import { GqlClient } from '../support/client.js';
import { startTestHandoff } from '../support/handoff.js';
import { migratedDatabase } from '../support/scratch-database.js';

const RUN = `mutation($asOf: DateTime) { runSettlement(input: { asOf: $asOf }) { id } }`;
const HOLD_MS = 1500;

describe('settlement through the gateway, past the ordinary subgraph timeout', () => {
  let handoff: RunningHandoff;
  let admin: GqlClient;
  let db: pg.Client;
  let scratch: Awaited<ReturnType<typeof migratedDatabase>>;

  beforeAll(async () => {
    scratch = await migratedDatabase('settle_deadline');
    handoff = await startTestHandoff({ databaseUrl: scratch.url, extraEnv: { SUBGRAPH_TIMEOUT_MS: '500', SETTLEMENT_TIMEOUT_MS: '30000' } });
    admin = new GqlClient(handoff.graphqlUrl).as(handoff.adminKey);
    db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await handoff?.stop();
    await scratch?.drop();
  });

  /** Runs settlement for `asOf` while another session holds the settlement lock for HOLD_MS. */
  async function runHeldUp(asOf: string) {
    await db.query('BEGIN');
    await db.query(`SELECT pg_advisory_xact_lock(hashtext('ledger:settlement'))`);
    const started = Date.now();
    const answer = admin.request(RUN, { asOf });
    await new Promise((r) => setTimeout(r, HOLD_MS));
    await db.query('COMMIT');
    const result = await answer;
    return { result, ms: Date.now() - started };
  }

  it('answers with the run (not a timeout error) when the run takes longer than the ordinary timeout', async () => {
    const asOf = '1999-06-01T00:00:00.000Z';
    const { result, ms } = await runHeldUp(asOf);
    expect(result.errors).toBeUndefined();
    expect(result.data?.runSettlement).toEqual([]);
    expect(ms).toBeGreaterThanOrEqual(HOLD_MS);
    const runs = await db.query(`SELECT 1 FROM ledger.settlement_runs WHERE period = '1999-06-01'`);
    expect(runs.rowCount).toBe(1);
  });

  it('still cuts other calls off at the ordinary timeout', async () => {
    // An admin query to the ledger waiting on a lock the test holds: the ledger check reads the
    // transactions, so a held ACCESS EXCLUSIVE lock on them makes it wait past 500 ms.
    await db.query('BEGIN');
    await db.query('LOCK TABLE ledger.ledger_transactions IN ACCESS EXCLUSIVE MODE');
    try {
      const r = await admin.request(`{ ledgerCheck { balanced } }`);
      // A subgraph past the gateway's deadline is the infrastructure's failure, not the request's:
      // SERVICE_UNAVAILABLE (retryable), never "Unexpected error.".
      expect(r.errors?.[0]).toMatchObject({ message: 'Service temporarily unavailable; retry shortly.', extensions: { code: 'SERVICE_UNAVAILABLE' } });
    } finally {
      await db.query('ROLLBACK');
    }
  });
});
