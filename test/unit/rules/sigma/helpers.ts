// Test helpers for the Sigma engine: build canonical events and run small inline rules over them.
// Invariant: events go through createMemorySource, the same view contract the real store serves.

import type { CanonicalEvent, CanonicalField } from '../../../../engine/model/fields.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import type { EventSource } from '../../../../engine/store/view.ts';
import { compileSigmaRule, loadSigmaRules } from '../../../../engine/rules/sigma/index.ts';
import type { LoadedRuleSet } from '../../../../engine/rules/types.ts';

let record = 0;
export function ev(fields: Partial<Record<CanonicalField, string>>, original: Record<string, string> = {}, raw?: string): CanonicalEvent {
  record++;
  const e: CanonicalEvent = {
    timeMs: 1_700_000_000_000 + record * 1000,
    fields,
    original,
    source: 'sysmon',
    locator: { evidence: 0, record, line: record, byteOffset: 0 },
  };
  if (raw !== undefined) e.raw = raw;
  return e;
}

/** Wrap a detection block (indented YAML) into a full process_creation rule. */
export function rule(detection: string, extra = ''): string {
  return `title: Test rule
id: 00000000-0000-0000-0000-000000000001
status: test
logsource:
    category: process_creation
    product: windows
detection:
${detection}
level: high
${extra}`;
}

export function compile(text: string) {
  return compileSigmaRule({ path: 'test.yml', text });
}

/** Matching row indexes of a rule over events, with both dictionary and plain columns (must agree). */
export function matches(text: string, events: CanonicalEvent[]): number[] {
  const r = compile(text);
  const dict = Array.from(r.run(createMemorySource(events)).rows);
  const plain = Array.from(r.run(createMemorySource(events, [1], { dictionary: false })).rows);
  if (dict.join() !== plain.join()) throw new Error(`dictionary ${dict} and plain ${plain} disagree`);
  return dict;
}

export function source(events: CanonicalEvent[]): EventSource {
  return createMemorySource(events);
}

export function load(text: string, path = 'test.yml'): LoadedRuleSet {
  return loadSigmaRules([{ path, text }]);
}
