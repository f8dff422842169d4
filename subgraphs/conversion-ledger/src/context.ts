// The per-request context of the conversion-ledger subgraph: the shared context plus DataLoaders
// that batch a request's reads of conversions' children (a page of 100 conversions asking for
// milestones and ledger entries) into one SQL per batch instead of one per conversion.
import type { SubgraphContext } from '@handoff/shared';
import DataLoader from 'dataloader';
import type { EntryRow } from './reporting/reporting.service.js';
import type { ConversionChildren, MilestoneRow } from './conversion/conversion.service.js';

export interface LedgerLoaders {
  /** By conversion id (already checked visible): its milestones, oldest first. */
  milestones: DataLoader<string, MilestoneRow[]>;
  /** By conversion id (already checked visible): its ledger entries, in posting order. */
  entries: DataLoader<string, EntryRow[]>;
}

export interface LedgerContext extends SubgraphContext {
  loaders: LedgerLoaders;
}

const options = { maxBatchSize: 500 };

export function createLoaders(children: ConversionChildren): LedgerLoaders {
  return {
    milestones: new DataLoader((ids) => children.milestonesOf(ids), options),
    entries: new DataLoader((ids) => children.entriesOf(ids), options),
  };
}

export const extendContext =
  (children: ConversionChildren) =>
  (base: SubgraphContext): LedgerContext => ({ ...base, loaders: createLoaders(children) });
