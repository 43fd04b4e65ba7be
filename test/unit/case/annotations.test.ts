import { describe, expect, it } from 'vitest';
import {
  applyChange,
  applyChanges,
  emptyDoc,
  eventAnnotationKey,
  getAnnotation,
  mergeDocs,
  parseAnnotationDoc,
  type AnnotationChange,
} from '../../../engine/case/annotations.ts';

const F = { kind: 'finding', id: 'psexec-accepteula|WS1|1714550400000' } as const;
const at = (s: number) => `2024-05-01T09:00:${String(s).padStart(2, '0')}Z`;

describe('annotations: change operations', () => {
  it('applies status, tags, comments and star immutably', () => {
    const start = emptyDoc();
    const doc = applyChanges(start, [
      { op: 'setStatus', target: F, atIso: at(1), status: 'investigating' },
      { op: 'addTag', target: F, atIso: at(2), tag: '  lateral ' },
      { op: 'addTag', target: F, atIso: at(3), tag: 'apt' },
      { op: 'addTag', target: F, atIso: at(4), tag: 'lateral' },
      { op: 'addComment', target: F, atIso: at(6), author: 'bob', text: 'second' },
      { op: 'addComment', target: F, atIso: at(5), author: 'alice', text: 'first' },
      { op: 'setStar', target: F, atIso: at(7), star: true },
    ]);
    expect(start).toEqual(emptyDoc());
    expect(getAnnotation(doc, F)).toEqual({
      status: 'investigating',
      tags: ['apt', 'lateral'],
      comments: [
        { author: 'alice', atIso: at(5), text: 'first' },
        { author: 'bob', atIso: at(6), text: 'second' },
      ],
      star: true,
      updatedAtIso: at(7),
    });
    const fewer = applyChanges(doc, [
      { op: 'removeTag', target: F, atIso: at(8), tag: 'apt' },
      { op: 'removeComment', target: F, atIso: at(9), author: 'alice', commentAtIso: at(5) },
    ]);
    expect(getAnnotation(fewer, F).tags).toEqual(['lateral']);
    expect(getAnnotation(fewer, F).comments.map((c) => c.text)).toEqual(['second']);
    expect(getAnnotation(doc, F).tags).toEqual(['apt', 'lateral']);
  });

  it('drops annotations that return to the empty state, keeping documents canonical', () => {
    const doc = applyChanges(emptyDoc(), [
      { op: 'setStar', target: F, atIso: at(1), star: true },
      { op: 'setStar', target: F, atIso: at(2), star: false },
    ]);
    expect(doc.findings).toEqual({});
    const cleared = applyChanges(emptyDoc(), [
      { op: 'setStatus', target: F, atIso: at(1), status: 'benign' },
      { op: 'clear', target: F, atIso: at(2) },
    ]);
    expect(Object.keys(cleared.findings)).toEqual([]);
  });

  it('keys event annotations by evidence hash and record', () => {
    const key = eventAnnotationKey('ABCDEF', 12);
    expect(key).toBe('abcdef:12');
    const doc = applyChange(emptyDoc(), { op: 'setStatus', target: { kind: 'event', id: key }, atIso: at(1), status: 'confirmed-malicious' });
    expect(doc.events[key]!.status).toBe('confirmed-malicious');
    expect(doc.findings).toEqual({});
  });

  it('treats ids such as __proto__ as data', () => {
    const target = { kind: 'finding', id: '__proto__' } as const;
    const doc = applyChange(emptyDoc(), { op: 'addTag', target, atIso: at(1), tag: 'x' });
    expect(Object.keys(doc.findings)).toEqual(['__proto__']);
    expect(getAnnotation(doc, target).tags).toEqual(['x']);
    expect(getAnnotation(doc, { kind: 'finding', id: 'toString' }).status).toBe('new');
    const again = applyChange(doc, { op: 'removeTag', target, atIso: at(2), tag: 'x' });
    expect(Object.keys(again.findings)).toEqual([]);
    expect(JSON.parse(JSON.stringify(doc)).findings.__proto__.tags).toEqual(['x']);
  });

  it.each<[string, unknown]>([
    ['bad status', { op: 'setStatus', target: F, atIso: at(1), status: 'evil' }],
    ['bad time', { op: 'setStar', target: F, atIso: 'yesterday', star: true }],
    ['empty tag', { op: 'addTag', target: F, atIso: at(1), tag: '   ' }],
    ['control char tag', { op: 'addTag', target: F, atIso: at(1), tag: 'a\u202eb' }],
    ['comma tag', { op: 'addTag', target: F, atIso: at(1), tag: 'a,b' }],
    ['long comment', { op: 'addComment', target: F, atIso: at(1), author: 'a', text: 'x'.repeat(20_001) }],
    ['empty author', { op: 'addComment', target: F, atIso: at(1), author: ' ', text: 'x' }],
    ['unknown op', { op: 'drop', target: F, atIso: at(1) }],
    ['bad target', { op: 'setStar', target: { kind: 'host', id: 'x' }, atIso: at(1), star: true }],
    ['empty id', { op: 'setStar', target: { kind: 'finding', id: '' }, atIso: at(1), star: true }],
  ])('refuses %s with E_CASE', (_name, change) => {
    expect(() => applyChange(emptyDoc(), change as AnnotationChange)).toThrow(expect.objectContaining({ code: 'E_CASE' }));
  });
});

describe('annotations: parse and merge', () => {
  it('parses a valid document into canonical form and refuses junk', () => {
    const doc = parseAnnotationDoc({
      findings: {
        b: { status: 'benign', tags: ['z', 'a', 'a'], comments: [], star: false },
        a: { status: 'new', tags: [], comments: [], star: false },
      },
      events: {},
    });
    expect(Object.keys(doc.findings)).toEqual(['b']);
    expect(doc.findings['b']!.tags).toEqual(['a', 'z']);
    expect(() => parseAnnotationDoc({ findings: { x: { status: 'benign', extra: 1 } } })).toThrow(/not allowed/);
    expect(() => parseAnnotationDoc({ findings: [], events: {} })).toThrow(/must be an object/);
    expect(() => parseAnnotationDoc({ findings: { x: { status: 'benign', comments: [{ author: 'a', atIso: 'nope', text: '' }] } } })).toThrow(/ISO/);
    expect(() => parseAnnotationDoc(JSON.parse('{"findings":{"__proto__":{"status":"benign"}}}'))).not.toThrow();
    const proto = parseAnnotationDoc(JSON.parse('{"findings":{"__proto__":{"status":"benign"}}}'));
    expect(Object.keys(proto.findings)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['status']).toBeUndefined();
  });

  it('merges by union of tags/comments and last-writer status/star', () => {
    const base = applyChange(emptyDoc(), { op: 'addTag', target: F, atIso: at(1), tag: 'one' });
    const a = applyChanges(base, [
      { op: 'setStatus', target: F, atIso: at(5), status: 'benign' },
      { op: 'addComment', target: F, atIso: at(5), author: 'a', text: 'from a' },
    ]);
    const b = applyChanges(base, [
      { op: 'setStatus', target: F, atIso: at(9), status: 'confirmed-malicious' },
      { op: 'addTag', target: F, atIso: at(9), tag: 'two' },
      { op: 'addComment', target: F, atIso: at(6), author: 'b', text: 'from b' },
    ]);
    const m1 = mergeDocs(a, b);
    const m2 = mergeDocs(b, a);
    expect(JSON.stringify(m1)).toBe(JSON.stringify(m2));
    expect(getAnnotation(m1, F)).toMatchObject({ status: 'confirmed-malicious', tags: ['one', 'two'], updatedAtIso: at(9) });
    expect(getAnnotation(m1, F).comments.map((c) => c.text)).toEqual(['from a', 'from b']);
  });
});
