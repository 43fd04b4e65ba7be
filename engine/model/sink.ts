// Contract between readers/format mappers (producers) and the store builder (consumer).
// Invariant: every input record ends up in exactly one of append / reject / nonProcess, so counts add up.

import type { CanonicalField, SourceKind } from './fields.ts';
import type { EventKind } from './event-kinds.ts';

export interface IngestRecord {
  /** UTC epoch milliseconds (fraction keeps sub-millisecond precision). */
  timeMs: number;
  /** The record's time had no zone and was read as UTC. */
  assumedUtc?: boolean;
  /** The field the time was read from (formats/time-fields.ts), when the mapper names it. */
  timeField?: string;
  /** The record's other readable time fields, in precedence order (compared per file: query/time-skew.ts). */
  timeAlts?: TimeAlt[];
  source: SourceKind;
  /** What the event is (model/event-kinds.ts); absent means process_creation (every mapper built before kinds). */
  kind?: EventKind;
  /** Provider / channel / vendor source as stated by the record, if any. */
  provider?: string;
  fields: Partial<Record<CanonicalField, string>>;
  /**
   * Original fields, as parallel arrays. `originalNames` may be one shared array for all records of a
   * file (CSV header) — consumers must not mutate it. Nested JSON is flattened to dotted names.
   */
  originalNames: readonly string[];
  originalValues: ReadonlyArray<string | undefined>;
  /**
   * Original record text when it cannot be rebuilt from the original fields (XML elements). CSV and
   * JSON records leave it out; the store re-serialises them from their original fields on demand.
   */
  raw?: string;
  /** 1-based record number within the evidence file, 1-based physical line, byte offset of the record. */
  record: number;
  line: number;
  byteOffset: number;
}

/** A time field of a record other than the one its time came from. */
export interface TimeAlt {
  field: string;
  ms: number;
  /** Written without zone and read as UTC. */
  assumedUtc: boolean;
}

export interface Rejection {
  reason: string;
  /** Short stable key for counting per reason (`bad-time`, `bad-json`, `field-count` ...). */
  code: string;
  record?: number;
  line?: number;
  byteOffset?: number;
}

export interface RecordSink {
  append(rec: IngestRecord): void;
  reject(rej: Rejection): void;
  /**
   * A well-formed record of a family whose mapper keeps only some of its records as events (today: vendor
   * rows of no event type Hopscope maps, e.g. a CrowdStrike sensor event it has no kind for), counted per what.
   * Windows events never come here: every one is an event with a kind (unknown ids as `other`).
   */
  nonProcess(kind: string, record: number): void;
}

/** What a reader reports when it has seen the whole input. */
export interface IngestStats {
  records: number;
  appended: number;
  rejected: number;
  nonProcess: number;
  rejectedByReason: Record<string, number>;
  invalidBytesReplaced: number;
  assumedUtc: boolean;
}
