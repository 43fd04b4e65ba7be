// A RecordSink that cuts one file's SegmentBuilder into segments while parsing goes on, for a partial view.
// Invariant: cuts fall between records and every builder keeps the file's evidence id, so the segments in order hold
// exactly the rows, locators, stats and reject samples one builder would (the store merges stats across segments).

import type { IngestRecord, RecordSink, Rejection } from '../model/sink.ts';
import { SegmentBuilder, type SegmentBuilderOptions } from '../store/builder.ts';
import type { Segment } from '../store/segment.ts';

export interface PartialCutOptions {
  /** Parsing time before the first cut (ms); the interval then doubles up to maxIntervalMs. */
  firstMs?: number;
  /** Rows that make the first cut even before firstMs (a fast parse shows something sooner). */
  firstRecords?: number;
  maxIntervalMs?: number;
  /** Tests: cut after every this many appended rows (time-based cuts still apply). */
  everyRecords?: number;
}

export const DEFAULT_FIRST_CUT_MS = 300;
export const DEFAULT_MAX_CUT_INTERVAL_MS = 8000;
export const DEFAULT_FIRST_CUT_RECORDS = 5_000;

/** Cut options from the environment: HOPSCOPE_PARTIAL_CUT_RECORDS forces a cut every N rows, HOPSCOPE_PARTIAL=0 turns cuts off. */
export function partialCutsFromEnv(env: Record<string, string | undefined>): PartialCutOptions | false {
  if (env['HOPSCOPE_PARTIAL'] === '0') return false;
  const n = Number(env['HOPSCOPE_PARTIAL_CUT_RECORDS']);
  return Number.isInteger(n) && n > 0 ? { everyRecords: n } : {};
}

/** Counts so far of the cut segments, for the partial evidence summary. */
export interface CutCounts {
  appended: number;
  rejected: number;
  nonProcess: number;
  rejectedByReason: Record<string, number>;
}

export class CuttingSink implements RecordSink {
  private builder: SegmentBuilder;
  private readonly started = performance.now();
  private nextCutMs: number;
  private intervalMs: number;
  private readonly maxIntervalMs: number;
  private readonly everyRecords: number;
  private firstRecords: number;

  constructor(
    private readonly builderOpts: SegmentBuilderOptions,
    opts: PartialCutOptions,
    /** Receives each cut segment, in file order (not the last one: finish() returns it). */
    private readonly onSegment: (seg: Segment) => void,
  ) {
    this.builder = new SegmentBuilder(builderOpts);
    this.intervalMs = Math.max(1, opts.firstMs ?? DEFAULT_FIRST_CUT_MS);
    this.nextCutMs = this.intervalMs;
    this.maxIntervalMs = Math.max(this.intervalMs, opts.maxIntervalMs ?? DEFAULT_MAX_CUT_INTERVAL_MS);
    this.everyRecords = opts.everyRecords && opts.everyRecords > 0 ? opts.everyRecords : Infinity;
    this.firstRecords = opts.firstRecords && opts.firstRecords > 0 ? opts.firstRecords : DEFAULT_FIRST_CUT_RECORDS;
  }

  append(rec: IngestRecord): void {
    if (this.builder.rowCount >= this.everyRecords) this.cut();
    else if (this.builder.rowCount >= this.firstRecords) {
      // The first cut came early by row count: the time intervals start from here.
      this.firstRecords = Infinity;
      this.nextCutMs = performance.now() - this.started + this.intervalMs;
      this.cut();
    }
    this.builder.append(rec);
  }

  reject(rej: Rejection): void {
    this.builder.reject(rej);
  }

  nonProcess(kind: string, record: number): void {
    this.builder.nonProcess(kind, record);
  }

  /** Between chunks: cuts when the current interval has passed (and the builder holds rows). */
  tick(): void {
    const now = performance.now() - this.started;
    if (now < this.nextCutMs) return;
    this.intervalMs = Math.min(this.intervalMs * 2, this.maxIntervalMs);
    this.nextCutMs = now + this.intervalMs;
    if (this.builder.rowCount > 0) this.cut();
  }

  private cut(): void {
    this.firstRecords = Infinity;
    const seg = this.builder.finish();
    this.builder = new SegmentBuilder(this.builderOpts);
    this.onSegment(seg);
  }

  /** The last segment (everything since the last cut). */
  finish(): Segment {
    return this.builder.finish();
  }
}
