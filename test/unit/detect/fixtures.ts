// Test fixtures for detection: CanonicalEvent builders and fake CompiledRules (predicates over fields).
// Invariant: fakes follow the CompiledRule contract (ascending unique rows) unless a test says otherwise.

import type { CanonicalEvent, CanonicalField } from '../../../engine/model/fields.ts';
import type { CompiledRule, RuleMeta, RuleRunResult } from '../../../engine/rules/types.ts';
import { fieldAt, type EventSource } from '../../../engine/store/view.ts';

let record = 0;
export function ev(iso: string, fields: Partial<Record<CanonicalField, string>>, original: Record<string, string> = {}): CanonicalEvent {
  record++;
  return {
    timeMs: Date.parse(iso),
    fields,
    original,
    source: 'sysmon',
    locator: { evidence: 0, record, line: record, byteOffset: 0 },
  };
}

export function meta(id: string, extra: Partial<RuleMeta> = {}): RuleMeta {
  return { id, title: `Rule ${id}`, language: 'spl', source: `builtin:${id}.spl`, riskScore: 10, techniques: ['T1021.002'], ...extra };
}

type Pred = (get: (field: string) => string | null) => boolean;

export function fakeRule(m: RuleMeta, pred: Pred, extra: { rowFields?: (row: number) => Record<string, string> | undefined } = {}): CompiledRule {
  return {
    meta: m,
    run(source: EventSource): RuleRunResult {
      const rows: number[] = [];
      for (let r = 0; r < source.rowCount; r++) if (pred((f) => fieldAt(source, r, f))) rows.push(r);
      let rowFields: Map<number, Record<string, string>> | undefined;
      if (extra.rowFields) {
        rowFields = new Map();
        for (const r of rows) {
          const v = extra.rowFields(r);
          if (v) rowFields.set(r, v);
        }
      }
      const out: RuleRunResult = { ruleId: m.id, rows: Uint32Array.from(rows), elapsedMs: 1 };
      if (rowFields) out.rowFields = rowFields;
      return out;
    },
    explain(source: EventSource, row: number) {
      const matched = pred((f) => fieldAt(source, row, f));
      return { matched, steps: [{ stage: 'search', condition: `fake ${m.id}`, fields: { process: fieldAt(source, row, 'process') } }] };
    },
  };
}
