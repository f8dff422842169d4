// A timeline entry's id sorts as the timeline reads: by time (the 10 characters of a ULID's time,
// milliseconds), then by source (the schema that wrote it), then by the source's own order (its
// outbox row, or checkout-session's own sequence), so entries of one millisecond keep the order
// their source gave them. Deterministic: a re-added job makes the same id. Keyset pages follow it.
import { encodeTime } from 'ulid';

export const OWN_SOURCE = 'checkout';
const SOURCE = /^[a-z][a-z_]{0,30}$/;
const ID = /^tle_[0-9A-Z]{10}_[a-z][a-z_]{0,30}_[0-9]{19}$/;

export function timelineEntryId(at: Date, source: string, sourceSeq: bigint | string): string {
  if (!SOURCE.test(source)) throw new Error(`timeline source ${JSON.stringify(source)} is not a schema name`);
  const seq = BigInt(sourceSeq);
  if (seq < 0n || seq > 9223372036854775807n) throw new Error(`timeline source sequence ${seq} out of range`);
  return `tle_${encodeTime(at.getTime(), 10)}_${source}_${seq.toString().padStart(19, '0')}`;
}

export const isTimelineEntryId = (id: string): boolean => ID.test(id);

/** The SQL that makes an own entry's id from its time's encoding (`$time`, 10 characters) and a sequence value. */
export const ownIdSql = (timeExpr: string, seqExpr: string) => `'tle_' || (${timeExpr}) || '_${OWN_SOURCE}_' || lpad((${seqExpr})::text, 19, '0')`;
