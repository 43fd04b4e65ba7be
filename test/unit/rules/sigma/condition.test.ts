// Sigma conditions: and/or/not precedence, parentheses, `1 of`/`all of` patterns and `them`, lists.
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../../../engine/rules/sigma/condition.ts';
import { ev, load, matches, rule } from './helpers.ts';

// Four events with every combination of two flags a / b, plus one with neither but c.
const evs = [
  ev({ process: 'a b' }),
  ev({ process: 'a' }),
  ev({ process: 'b' }),
  ev({ process: 'c' }),
];
const det = (condition: string) =>
  rule(`    sel_a:\n        CommandLine|contains: a\n    sel_b:\n        CommandLine|contains: b\n    filter_c:\n        CommandLine: c\n    _hidden:\n        CommandLine: zzz\n    condition: ${condition}`);

describe('sigma conditions', () => {
  it('and, or, not', () => {
    expect(matches(det('sel_a and sel_b'), evs)).toEqual([0]);
    expect(matches(det('sel_a or sel_b'), evs)).toEqual([0, 1, 2]);
    expect(matches(det('sel_a and not sel_b'), evs)).toEqual([1]);
    expect(matches(det('not sel_a'), evs)).toEqual([2, 3]);
    expect(matches(det('not not sel_a'), evs)).toEqual([0, 1]);
  });

  it('precedence: not > and > or, parentheses override', () => {
    // sel_b or (sel_a and filter_c) → events with b
    expect(matches(det('sel_b or sel_a and filter_c'), evs)).toEqual([0, 2]);
    expect(matches(det('(sel_b or sel_a) and filter_c'), evs)).toEqual([]);
    // (not sel_a) and sel_b, not not(sel_a and sel_b)
    expect(matches(det('not sel_a and sel_b'), evs)).toEqual([2]);
    expect(matches(det('not (sel_a and sel_b)'), evs)).toEqual([1, 2, 3]);
    expect(matches(det('((sel_a))'), evs)).toEqual([0, 1]);
  });

  it('1 of / all of with wildcard patterns and them', () => {
    expect(matches(det('1 of sel_*'), evs)).toEqual([0, 1, 2]);
    expect(matches(det('all of sel_*'), evs)).toEqual([0]);
    expect(matches(det('1 of sel_* and not 1 of filter_*'), evs)).toEqual([0, 1, 2]);
    expect(matches(det('1 of them'), evs)).toEqual([0, 1, 2, 3]);
    // `them` leaves out identifiers starting with "_" (as pySigma)
    expect(matches(det('all of them'), evs)).toEqual([]);
    expect(matches(det('any of sel*'), evs)).toEqual([0, 1, 2]);
    expect(matches(det('not 1 of sel_*'), evs)).toEqual([3]);
  });

  it('a list of conditions is OR', () => {
    const text = rule(`    sel_a:\n        CommandLine: a\n    sel_c:\n        CommandLine: c\n    condition:\n        - sel_a\n        - sel_c`);
    expect(matches(text, evs)).toEqual([1, 3]);
  });

  it('lists of maps are OR, maps are AND', () => {
    const text = rule(`    sel:\n        - CommandLine: a\n          Image: x\n        - CommandLine: c\n    condition: sel`);
    const list = [ev({ process: 'a', process_path: 'x' }), ev({ process: 'a', process_path: 'y' }), ev({ process: 'c' })];
    expect(matches(text, list)).toEqual([0, 2]);
  });

  it('parser errors are positioned', () => {
    expect(() => parseCondition('sel and')).toThrowError(/ends unexpectedly/);
    expect(() => parseCondition('(sel')).toThrowError(/missing "\)"/);
    let pos = -1;
    try {
      parseCondition('a and and b');
    } catch (e) {
      pos = (e as { pos: number }).pos;
    }
    expect(pos).toBe(6);
  });

  it('unknown identifiers and empty patterns are load errors with line/column', () => {
    const set = load(det('sel_a and sel_x'));
    expect(set.rules).toHaveLength(0);
    expect(set.issues).toHaveLength(1);
    const i = set.issues[0]!;
    expect(i.severity).toBe('error');
    expect(i.message).toMatch(/unknown detection identifier "sel_x"/);
    // condition is on line 16 of the generated rule, its value at column 16, sel_x 10 further
    expect(i.location?.line).toBe(16);
    expect(i.location?.column).toBe(26);
    expect(load(det('1 of nomatch*')).issues[0]!.message).toMatch(/matches no detection identifier/);
    // quoted and list conditions point at the identifier too
    expect(load(det(`"sel_a and sel_x"`)).issues[0]!.location).toMatchObject({ line: 16, column: 27 });
    const listed = load(det(`\n        - sel_a\n        - sel_a or sel_y`)).issues[0]!;
    expect(listed.location).toMatchObject({ line: 18, column: 20 });
  });

  it('aggregations and near are unsupported, with the reason', () => {
    const agg = load(det('sel_a | count() by dest > 5'));
    expect(agg.rules).toHaveLength(0);
    expect(agg.issues[0]!.severity).toBe('unsupported');
    expect(agg.issues[0]!.code).toBe('E_RULE_UNSUPPORTED');
    expect(agg.issues[0]!.message).toMatch(/aggregation/);
    expect(load(det('sel_a near sel_b')).issues[0]!.severity).toBe('error');
    expect(load(det('near sel_b')).issues[0]!.severity).toBe('unsupported');
    expect(load(det('2 of sel_*')).issues[0]!.severity).toBe('unsupported');
  });
});
