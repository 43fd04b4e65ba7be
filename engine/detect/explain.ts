// "Why did this (not) match": a finding's events with the rule's own explanation steps.
// Invariant: read-only over the source; explanations come from the rule, never re-derived here.

import type { CompiledRule, MatchExplanation } from '../rules/types.ts';
import type { EventSource } from '../store/view.ts';
import { toErrorInfo, type ErrorInfo } from '../model/errors.ts';
import type { Finding } from './types.ts';

export interface EventExplanation {
  row: number;
  timeMs: number;
  matched: boolean;
  steps: MatchExplanation[];
  /** Set when the rule's explain itself failed for this row. */
  error?: ErrorInfo;
}

function explainRow(source: EventSource, rule: CompiledRule, row: number, timeMs: number): EventExplanation {
  try {
    const { matched, steps } = rule.explain(source, row);
    return { row, timeMs, matched, steps };
  } catch (err) {
    return { row, timeMs, matched: false, steps: [], error: toErrorInfo(err) };
  }
}

/** Per event of the finding (in the finding's order), the rule's explanation steps; at most `maxEvents`. */
export function explainFinding(source: EventSource, rule: CompiledRule, finding: Finding, maxEvents = 100): EventExplanation[] {
  return finding.events.slice(0, maxEvents).map((e) => explainRow(source, rule, e.row, e.timeMs));
}

/** Why one row did (or did not) match the rule. Out-of-range rows yield an E_USAGE error, not a throw. */
export function whyNot(source: EventSource, rule: CompiledRule, row: number): EventExplanation {
  if (!Number.isInteger(row) || row < 0 || row >= source.rowCount) {
    return { row, timeMs: NaN, matched: false, steps: [], error: { code: 'E_USAGE', message: `row ${row} out of range` } };
  }
  let timeMs = NaN;
  for (const v of source.views) {
    if (row >= v.base && row < v.base + v.rowCount) timeMs = v.timeMs[row - v.base]!;
  }
  return explainRow(source, rule, row, timeMs);
}
