// The per-request context of the conversion-ledger subgraph: the shared context plus DataLoaders
// that batch a request's reads of conversions' children (a page of 100 conversions asking for
// milestones and ledger entries) into one SQL per batch instead of one per conversion. Children
// are read where their conversion was: a page of a BI list on the read replica, a conversion a
// command returned or a by-id read on the primary (ReadPool.fromReplica).
import type { ReadPool, SubgraphContext } from '@handoff/shared';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { EntryRow } from './reporting/reporting.service.js';
import type { ConversionChildren, MilestoneRow } from './conversion/conversion.service.js';

export interface LedgerLoaders {
  /** By conversion id (already checked visible): its milestones, oldest first. */
  milestones: DataLoader<string, MilestoneRow[]>;
  /** By conversion id (already checked visible): its ledger entries, in posting order. */
  entries: DataLoader<string, EntryRow[]>;
}

export interface LedgerContext extends SubgraphContext {
  /** The loaders for the children of `conversion`, on the side it was read from. */
  loadersOf(conversion: object): LedgerLoaders;
}

const options = { maxBatchSize: 500 };
type Read = <T>(fn: (ds: DataSource) => Promise<T>) => Promise<T>;

function createLoaders(children: ConversionChildren, read: Read): LedgerLoaders {
  return {
    milestones: new DataLoader((ids) => read((ds) => children.milestonesOf(ds, ids)), options),
    entries: new DataLoader((ids) => read((ds) => children.entriesOf(ds, ids)), options),
  };
}

export const extendContext =
  (children: ConversionChildren, reads: ReadPool) =>
  (base: SubgraphContext): LedgerContext => {
    let fresh: LedgerLoaders | undefined;
    let reporting: LedgerLoaders | undefined;
    return {
      ...base,
      loadersOf: (conversion) =>
        reads.fromReplica(conversion)
          ? (reporting ??= createLoaders(children, (fn) => reads.read(fn)))
          : (fresh ??= createLoaders(children, (fn) => reads.fresh(fn))),
    };
  };
