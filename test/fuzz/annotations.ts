// Annotation-change fuzz target: `case.annotate` changes come from the renderer as plain objects whose inner
// shape only the annotation model checks. Oracle: applying any change either works (and the document
// round-trips through parseAnnotationDoc) or is refused with a HopscopeError; Object.prototype stays clean.

import { applyChanges, emptyDoc, parseAnnotationDoc } from '../../engine/case/annotations.ts';
import { HopscopeError } from '../../engine/model/errors.ts';
import { inputSeed, Rand } from './lib.ts';
import { PROTO_KEYS, randomValue } from './protocol.ts';
import type { TargetResult } from './readers.ts';

const OPS = ['setStatus', 'addTag', 'removeTag', 'addComment', 'removeComment', 'setStar', 'clear', 'x', '__proto__'];
const VALUES = ['confirmed-malicious', 'benign', 'x', '__proto__', 'constructor', 'a'.repeat(100_000), '2024-05-02T10:00:00Z', '2024-13-40T99:99:99Z', '', true];

function randomChange(r: Rand): Record<string, unknown> {
  const change: Record<string, unknown> = JSON.parse('{}');
  const set = (k: string, v: unknown): void => {
    Object.defineProperty(change, k, { value: v, enumerable: true, writable: true, configurable: true });
  };
  set('op', r.chance(0.8) ? r.pick(OPS) : randomValue(r));
  if (r.chance(0.9)) {
    set('target', r.chance(0.7) ? { kind: r.pick(['finding', 'event', '__proto__', 'x']), id: r.chance(0.7) ? r.pick(['f1', '__proto__', 'constructor', 'a'.repeat(3000), '']) : randomValue(r) } : randomValue(r));
  }
  set('atIso', r.chance(0.8) ? r.pick(['2024-05-02T10:00:00Z', '2024-13-40T99:99:99Z', '', 'x']) : randomValue(r));
  for (const k of ['status', 'tag', 'author', 'text', 'commentAtIso', 'star']) if (r.chance(0.5)) set(k, r.chance(0.5) ? r.pick(VALUES) : randomValue(r));
  if (r.chance(0.2)) set(r.pick(PROTO_KEYS), randomValue(r));
  return change;
}

export function fuzzAnnotations(n: number, base: number): TargetResult {
  const target = 'case:annotations';
  const res: TargetResult = { target, tried: 0, failures: [], refused: 0 };
  for (let i = 0; i < n && res.failures.length < 5; i++) {
    const s = inputSeed(target, base, i);
    const r = new Rand(s);
    const changes = Array.from({ length: 1 + r.int(3) }, () => randomChange(r));
    res.tried++;
    let problem: string | null = null;
    try {
      const doc = applyChanges(emptyDoc(), changes as never[]);
      parseAnnotationDoc(JSON.parse(JSON.stringify(doc)));
    } catch (err) {
      if (err instanceof HopscopeError) res.refused++;
      else problem = `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
    }
    if (({} as Record<string, unknown>)['polluted'] !== undefined || Object.keys(Object.prototype).length > 0) problem = 'Object.prototype was polluted';
    if (problem) res.failures.push({ target, seed: s, message: problem });
  }
  return res;
}
