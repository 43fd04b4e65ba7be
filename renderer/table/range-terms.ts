// Time-range terms of the filter language (`time>=ISO time<ISO`, UTC) for a timeline selection: replaces the
// filter's own top-level range terms, so applying another selection does not pile up contradicting ones.
import type { TimeRange } from '../state/timeline-view.svelte.ts';

const RANGE_TERM = /(^|\s)_?time(>=|<|>|<=)\S+/g;

export function withRange(filter: string, range: TimeRange): string {
  const rest = filter.replace(RANGE_TERM, ' ').replace(/\s+/g, ' ').trim();
  const terms = `time>=${new Date(range.startMs).toISOString()} time<${new Date(range.endMs).toISOString()}`;
  return rest ? `${rest} ${terms}` : terms;
}
