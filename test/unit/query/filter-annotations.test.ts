// Annotation terms of the filter language (status:, tag:, starred, commented, is:annotated) against the case's
// notes: an event's own annotation (evidence SHA-256 + record) and those of the findings holding it.

import { describe, expect, it } from 'vitest';
import { applyChanges, emptyDoc, eventAnnotationKey, type AnnotationChange, type AnnotationDoc } from '../../../engine/case/annotations.ts';
import type { Finding } from '../../../engine/detect/types.ts';
import { HopscopeError } from '../../../engine/model/errors.ts';
import { buildAnnotationIndex } from '../../../engine/query/annotation-index.ts';
import { compileFilter, parseFilter, usesAnnotations } from '../../../engine/query/filter.ts';
import { buildStore, sysmonRecords } from '../store/gen-events.ts';

const SHA = 'ab'.repeat(32);
const AT = '2024-05-01T08:00:00Z';
const recs = sysmonRecords({ count: 60, seed: 7 });
const store = buildStore([
  { records: recs.slice(0, 30), opts: { evidenceName: 'a.xml' } },
  { records: recs.slice(30), opts: { evidenceName: 'a.xml' } },
]);

function finding(id: string, rows: number[]): Finding {
  return {
    id,
    ruleId: 'r',
    host: 'h',
    binStartMs: 0,
    binEndMs: 1000,
    eventCount: rows.length,
    riskScore: 50,
    message: '',
    techniques: [],
    events: rows.map((row) => ({ row, evidence: 0, record: store.locator(row).record, timeMs: store.timeAt(row) })),
  } as Finding;
}

const findings = [finding('f1', [1, 2, 3]), finding('f2', [40, 41])];

type Change = AnnotationChange extends infer C ? (C extends AnnotationChange ? Omit<C, 'atIso'> : never) : never;

function doc(...changes: Change[]): AnnotationDoc {
  return applyChanges(emptyDoc(), changes.map((c) => ({ ...c, atIso: AT }) as AnnotationChange));
}

const eventKey = (row: number): string => eventAnnotationKey(SHA, store.locator(row).record);

const notes = doc(
  { op: 'setStatus', target: { kind: 'finding', id: 'f1' }, status: 'confirmed-malicious' },
  { op: 'addTag', target: { kind: 'finding', id: 'f1' }, tag: 'PsExec' },
  { op: 'setStar', target: { kind: 'finding', id: 'f2' }, star: true },
  { op: 'setStatus', target: { kind: 'event', id: eventKey(50) }, status: 'benign' },
  { op: 'addComment', target: { kind: 'event', id: eventKey(50) }, author: 'ana', text: 'admin script' },
  { op: 'addTag', target: { kind: 'event', id: eventKey(2) }, tag: 'lateral' },
);

function matching(filter: string, d: AnnotationDoc | null = notes): number[] {
  const index = d ? buildAnnotationIndex(d, 1, (e) => (e === 0 ? SHA : undefined), [0], findings) : undefined;
  const f = compileFilter(filter, index ? { annotations: index } : {});
  const out: number[] = [];
  for (const v of store.views) {
    const test = f.forView(v);
    for (let r = 0; r < v.rowCount; r++) if (test(r)) out.push(v.base + r);
  }
  return out;
}

const all = Array.from({ length: store.rowCount }, (_, i) => i);

describe('annotation filter terms', () => {
  it('status: matches events of findings with that status and events annotated with it', () => {
    expect(matching('status:confirmed-malicious')).toEqual([1, 2, 3]);
    expect(matching('status:Benign')).toEqual([50]);
    expect(matching('status:new')).toEqual(all.filter((r) => ![1, 2, 3, 50].includes(r)));
    expect(matching('status!=new')).toEqual([1, 2, 3, 50]);
  });

  it('tag: matches own and finding tags, case-insensitively, with globs', () => {
    expect(matching('tag:psexec')).toEqual([1, 2, 3]);
    expect(matching('tag:lateral')).toEqual([2]);
    expect(matching('tag:lat*')).toEqual([2]);
    expect(matching('tag:psexec AND tag:lateral')).toEqual([2]);
  });

  it('starred, is:starred, commented, is:annotated', () => {
    expect(matching('starred')).toEqual([40, 41]);
    expect(matching('is:starred')).toEqual([40, 41]);
    expect(matching('commented')).toEqual([50]);
    expect(matching('is:commented')).toEqual([50]);
    expect(matching('is:annotated')).toEqual([1, 2, 3, 40, 41, 50]);
    expect(matching('NOT starred')).toEqual(all.filter((r) => r !== 40 && r !== 41));
  });

  it('without notes every event is new and un-annotated', () => {
    expect(matching('starred', null)).toEqual([]);
    expect(matching('status:new', null)).toEqual(all);
    expect(matching('status:benign', emptyDoc())).toEqual([]);
  });

  it('annotations of other evidence do not apply', () => {
    const other = doc({ op: 'setStar', target: { kind: 'event', id: eventAnnotationKey('cd'.repeat(32), store.locator(5).record) }, star: true });
    expect(matching('starred', other)).toEqual([]);
  });

  it('a quoted word searches the text instead; usesAnnotations tells which filters need notes', () => {
    expect(parseFilter('"starred"')).toMatchObject({ kind: 'text', value: 'starred' });
    expect(usesAnnotations(parseFilter('process_name:cmd.exe OR (NOT tag:x)'))).toBe(true);
    expect(usesAnnotations(parseFilter('process_name:cmd.exe'))).toBe(false);
  });

  it('refuses unknown statuses and is: terms with the column of the value', () => {
    for (const [f, col] of [['status:evil', 8], ['x is:fun', 6], ['status:', 8]] as const) {
      try {
        compileFilter(f);
        expect.unreachable(f);
      } catch (err) {
        expect(err).toBeInstanceOf(HopscopeError);
        expect((err as HopscopeError).location?.column).toBe(col);
      }
    }
  });
});
