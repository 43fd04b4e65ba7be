// Findings as NDJSON: one report finding per line (with its annotation when the report has one).
// Invariant: each line is one complete JSON value; no raw line or paragraph separators inside a line.

import { findingAnnotation, type Report } from './report.ts';

/** JSON.stringify leaves U+2028/U+2029 raw; some line readers split on them, so escape them too. */
function oneLine(value: unknown): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function findingsToNdjson(report: Pick<Report, 'findings' | 'annotations'>): string {
  let out = '';
  for (const f of report.findings) {
    const a = findingAnnotation(report, f.id);
    out += oneLine(a ? { ...f, annotation: a } : f) + '\n';
  }
  return out;
}
