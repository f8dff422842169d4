// Reads of conversions, always through the caller's tenancy scope (conversion.access.ts). A
// conversion by id is read on the primary: it is what a merchant reads right after reporting it,
// and what other subgraphs resolve references with (read-your-writes, never the replica).
import type { Principal } from '@handoff/shared';
import type { DataSource, Repository } from 'typeorm';
import type { EntryRow } from '../reporting/reporting.service.js';
import { conversionScope } from './conversion.access.js';
import { ConversionEntity } from './conversion.entity.js';

export class ConversionService {
  private readonly conversions: Repository<ConversionEntity>;

  constructor(dataSource: DataSource) {
    this.conversions = dataSource.getRepository(ConversionEntity);
  }

  /** The conversion, or null when it does not exist or the principal may not see it. */
  async findVisible(principal: Principal, id: string): Promise<ConversionEntity | null> {
    const scope = conversionScope(principal);
    if (!scope) return null;
    return this.conversions.findOneBy({ ...scope, id });
  }
}

export interface MilestoneRow {
  conversion_id: string;
  step: string;
  status: string;
  metadata: unknown;
  recorded_at: Date;
}

/** Rows grouped by conversion id, in the order of `ids` (a DataLoader's batch). */
function groupBy<R extends { conversion_id: string | null }>(ids: readonly string[], rows: R[]): R[][] {
  const by = new Map<string, R[]>(ids.map((id) => [id, []]));
  for (const r of rows) by.get(r.conversion_id!)?.push(r);
  return ids.map((id) => by.get(id)!);
}

/**
 * Reads of conversions' own children, one SQL per batch of conversions (a page of a list asks
 * for all its milestones at once), on the side (`ds`) their conversions were read from; the
 * conversions themselves were already checked visible.
 */
export class ConversionChildren {
  async milestonesOf(ds: DataSource, conversionIds: readonly string[]): Promise<MilestoneRow[][]> {
    const rows: MilestoneRow[] = await ds.query(
      `SELECT conversion_id, step, status, metadata, recorded_at FROM ledger.conversion_milestones
        WHERE conversion_id = ANY($1::text[]) ORDER BY conversion_id, recorded_at, id`,
      [conversionIds],
    );
    return groupBy(conversionIds, rows);
  }

  async entriesOf(ds: DataSource, conversionIds: readonly string[]): Promise<EntryRow[][]> {
    const rows: EntryRow[] = await ds.query(
      `SELECT e.id::text, e.transaction_id, e.conversion_id, e.account_type, e.account_owner, e.currency, e.amount_minor::text,
              e.created_at, t.kind, t.reverses_id
         FROM ledger.ledger_entries e JOIN ledger.ledger_transactions t ON t.id = e.transaction_id
        WHERE e.conversion_id = ANY($1::text[]) ORDER BY e.conversion_id, e.id`,
      [conversionIds],
    );
    return groupBy(conversionIds, rows);
  }
}
