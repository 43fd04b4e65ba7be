// Conservative static ReDoS check for the few patterns that must run on V8's backtracking engine.
// Invariant: anything this accepts has no nested/overlapping unbounded repetition; doubt means refusal.

import { PcreError, complementRanges, normalizeRanges, type Range, type RxNode } from './pcre-parse.ts';

/** Lookaround and back-references are the only reasons to leave the linear-time engine. */
export function needsBacktracking(root: RxNode): boolean {
  let found = false;
  const visit = (n: RxNode): void => {
    if (found) return;
    if (n.k === 'look' || n.k === 'backref') {
      found = true;
      return;
    }
    if (n.k === 'seq') n.items.forEach(visit);
    else if (n.k === 'alt') n.branches.forEach(visit);
    else if (n.k === 'group' || n.k === 'repeat') visit(n.body);
  };
  visit(root);
  return found;
}

const ALL: Range[] = [[0, 0x10ffff]];
const LONG_REPEAT = 16;
const NOT_NL: Range[] = complementRanges([[0x0a, 0x0a]]);

function caseExpand(ranges: readonly Range[]): Range[] {
  const out: Range[] = [...ranges];
  for (const [lo, hi] of ranges) {
    const a = Math.max(lo, 0x41);
    const b = Math.min(hi, 0x5a);
    if (a <= b) out.push([a + 32, b + 32]);
    const c = Math.max(lo, 0x61);
    const d = Math.min(hi, 0x7a);
    if (c <= d) out.push([c - 32, d - 32]);
  }
  return normalizeRanges(out);
}

function intersects(a: readonly Range[], b: readonly Range[]): boolean {
  for (const [lo1, hi1] of a) for (const [lo2, hi2] of b) if (lo1 <= hi2 && lo2 <= hi1) return true;
  return false;
}

/** Every character the node could consume (over-approximated: back-references consume anything). */
function charSet(n: RxNode): Range[] {
  switch (n.k) {
    case 'char':
      return n.ci ? caseExpand([[n.cp, n.cp]]) : [[n.cp, n.cp]];
    case 'class': {
      const r = n.negated ? complementRanges(n.ranges) : n.ranges;
      return n.ci ? caseExpand(r) : [...r];
    }
    case 'dot':
      return n.dotAll ? ALL : NOT_NL;
    case 'backref':
      return ALL;
    case 'seq':
      return normalizeRanges(n.items.flatMap(charSet));
    case 'alt':
      return normalizeRanges(n.branches.flatMap(charSet));
    case 'group':
    case 'repeat':
      return charSet(n.body);
    default:
      return [];
  }
}

function nullable(n: RxNode): boolean {
  switch (n.k) {
    case 'char':
    case 'class':
    case 'dot':
      return false;
    case 'seq':
      return n.items.every(nullable);
    case 'alt':
      return n.branches.some(nullable);
    case 'group':
      return nullable(n.body);
    case 'repeat':
      return n.min === 0 || nullable(n.body);
    default:
      return true;
  }
}

/** Characters that can start a match of the node. */
function firstSet(n: RxNode): Range[] {
  switch (n.k) {
    case 'seq': {
      const out: Range[] = [];
      for (const c of n.items) {
        out.push(...firstSet(c));
        if (!nullable(c)) break;
      }
      return normalizeRanges(out);
    }
    case 'alt':
      return normalizeRanges(n.branches.flatMap(firstSet));
    case 'group':
    case 'repeat':
      return firstSet(n.body);
    case 'look':
    case 'assert':
    case 'empty':
      return [];
    default:
      return charSet(n);
  }
}

function fail(pos: number, why: string): never {
  throw new PcreError(`catastrophic pattern: ${why}; it would need the backtracking engine, which could hang on hostile input`, pos);
}

function containsRepeat(n: RxNode): RxNode | undefined {
  if (n.k === 'repeat' && n.max > 1) return n;
  if (n.k === 'seq') for (const c of n.items) { const r = containsRepeat(c); if (r) return r; }
  if (n.k === 'alt') for (const c of n.branches) { const r = containsRepeat(c); if (r) return r; }
  if (n.k === 'group' || n.k === 'look' || n.k === 'repeat') return containsRepeat(n.body);
  return undefined;
}

function checkAltsDisjoint(n: RxNode, pos: number): void {
  if (n.k === 'alt') {
    const sets = n.branches.map(firstSet);
    for (let i = 0; i < sets.length; i++) {
      if (nullable(n.branches[i]!)) fail(pos, 'a repeated alternation has an empty branch');
      for (let j = i + 1; j < sets.length; j++) if (intersects(sets[i]!, sets[j]!)) fail(pos, 'a repeated alternation has overlapping branches');
    }
    n.branches.forEach((b) => checkAltsDisjoint(b, pos));
  } else if (n.k === 'seq') n.items.forEach((c) => checkAltsDisjoint(c, pos));
  else if (n.k === 'group' || n.k === 'look') checkAltsDisjoint(n.body, pos);
}

/** Items of a sequence with plain groups flattened, so `(.*)(.*)` is seen as two adjacent repeats. */
function flatItems(n: RxNode): RxNode[] {
  if (n.k === 'seq') return n.items.flatMap(flatItems);
  if (n.k === 'group' && n.body.k !== 'alt') return flatItems(n.body);
  return [n];
}

/** Any repetition that can run long (unbounded or over LONG_REPEAT), anywhere in the pattern. */
function firstLongRepeat(n: RxNode): Extract<RxNode, { k: 'repeat' }> | undefined {
  if (n.k === 'repeat' && n.max > LONG_REPEAT) return n;
  if (n.k === 'seq') for (const c of n.items) { const r = firstLongRepeat(c); if (r) return r; }
  if (n.k === 'alt') for (const c of n.branches) { const r = firstLongRepeat(c); if (r) return r; }
  if (n.k === 'group' || n.k === 'look' || n.k === 'repeat') return firstLongRepeat(n.body);
  return undefined;
}

function startAnchored(n: RxNode): boolean {
  const first = n.k === 'seq' ? n.items[0] : n;
  if (!first) return false;
  if (first.k === 'assert') return first.kind === 'bol' || first.kind === 'start';
  if (first.k === 'group') return startAnchored(first.body);
  if (first.k === 'alt') return first.branches.every(startAnchored);
  return false;
}

export function checkBacktrackingSafe(root: RxNode): void {
  // Unanchored, a backtracking engine retries a long repetition from every start position: quadratic
  // on hostile input (\d+x against a long run of digits). Only a start-anchored pattern avoids that.
  const long = firstLongRepeat(root);
  if (long && !startAnchored(root)) fail(long.pos, 'an unbounded repetition in an unanchored pattern (add ^ or avoid lookaround/back-references)');
  const visit = (n: RxNode): void => {
    switch (n.k) {
      case 'repeat': {
        if (n.max > 1) {
          const inner = containsRepeat(n.body);
          if (inner) fail(n.pos, 'nested quantifiers');
          checkAltsDisjoint(n.body, n.pos);
          let hasRef = false;
          const look = (m: RxNode): void => {
            if (m.k === 'backref') hasRef = true;
            if (m.k === 'seq') m.items.forEach(look);
            if (m.k === 'alt') m.branches.forEach(look);
            if (m.k === 'group' || m.k === 'look') look(m.body);
          };
          look(n.body);
          if (hasRef) fail(n.pos, 'a back-reference inside a repetition');
        }
        visit(n.body);
        return;
      }
      case 'seq': {
        checkSequence(flatItems(n));
        n.items.forEach(visit);
        return;
      }
      case 'alt':
        n.branches.forEach(visit);
        return;
      case 'group':
      case 'look':
        visit(n.body);
        return;
      default:
        return;
    }
  };
  visit(root);
}

/** Two unbounded repeats that can consume the same characters with no required separator between them
 * give polynomial backtracking (`.*a.*b`, `\s+\s*`): refuse. */
function checkSequence(items: RxNode[]): void {
  let open: Range[] = [];
  for (const it of items) {
    // Long bounded repeats backtrack like unbounded ones (a{1,30000}a{1,30000}): treat them alike.
    if (it.k === 'repeat' && it.max > LONG_REPEAT) {
      const set = charSet(it.body);
      if (open.length > 0 && intersects(open, set)) fail(it.pos, 'adjacent unbounded repetitions can match the same text');
      open = normalizeRanges([...open, ...set]);
      continue;
    }
    if (nullable(it)) continue;
    const set = charSet(it);
    if (!intersects(open, set)) open = [];
    else open = normalizeRanges([...open, ...set]);
  }
}

/**
 * PCRE fails a back-reference to a group that did not take part in the match; JavaScript matches it as
 * empty. Accept only references to groups that are always set before the reference (not optional, not in
 * an alternation, earlier in the pattern), and none from inside a lookbehind (which runs backwards).
 */
export function checkBackrefs(root: RxNode): void {
  const setBefore = new Map<number, number>(); // capture index -> end offset, for always-set groups
  const byName = new Map<string, number>();
  const refs: Array<{ node: Extract<RxNode, { k: 'backref' }>; inLookbehind: boolean }> = [];
  const visit = (n: RxNode, mandatory: boolean, inLookbehind: boolean): void => {
    switch (n.k) {
      case 'group':
        if (n.capture) {
          if (n.name !== undefined) byName.set(n.name, n.index);
          if (mandatory) setBefore.set(n.index, n.end);
        }
        visit(n.body, mandatory, inLookbehind);
        return;
      case 'seq':
        n.items.forEach((c) => visit(c, mandatory, inLookbehind));
        return;
      case 'alt':
        n.branches.forEach((c) => visit(c, false, inLookbehind));
        return;
      case 'repeat':
        visit(n.body, mandatory && n.min >= 1, inLookbehind);
        return;
      case 'look':
        visit(n.body, false, inLookbehind || !n.ahead);
        return;
      case 'backref':
        refs.push({ node: n, inLookbehind });
        return;
      default:
        return;
    }
  };
  visit(root, true, false);
  for (const { node, inLookbehind } of refs) {
    if (inLookbehind) throw new PcreError('a back-reference inside a lookbehind is not supported', node.pos);
    const index = node.name !== undefined ? byName.get(node.name) : node.index;
    if (index === undefined) throw new PcreError(`reference to non-existent group "${node.name}"`, node.pos);
    const end = setBefore.get(index);
    if (end === undefined || end > node.pos) {
      throw new PcreError('back-reference to a group that may not be set at that point (PCRE fails it, JavaScript would match empty)', node.pos);
    }
  }
}
