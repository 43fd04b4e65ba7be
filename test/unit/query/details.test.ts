// Event details and process trees: GUID links on Sysmon-shaped data, pid links with reuse and a window.

import { describe, expect, it } from 'vitest';
import type { CanonicalField } from '../../../engine/model/fields.ts';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import { eventDetails, processTree } from '../../../engine/query/details.ts';
import { buildStore, cimRecords, sysmonRecords } from '../store/gen-events.ts';

describe('eventDetails', () => {
  it('canonical, original, raw and locator of a Sysmon event', () => {
    const recs = sysmonRecords({ count: 50, seed: 4 });
    const store = buildStore([{ records: recs.slice(0, 20), opts: { evidence: 0, evidenceName: 'x.xml' } }, { records: recs.slice(20), opts: { evidence: 5, evidenceName: 'y.xml' } }]);
    const d = eventDetails(store, 30);
    const r = recs[30]!;
    expect(d).toMatchObject({ row: 30, timeMs: r.timeMs, evidence: 'y.xml', record: r.record, line: r.line, raw: r.raw });
    expect(d.canonical['process']).toBe(r.fields.process);
    expect(d.canonical['parent_process_guid']).toBe(r.fields.parent_process_guid ?? null);
    expect(d.canonical['host']).toBe(r.fields.dest);
    expect(d.canonical['source']).toBe('y.xml');
    const want: Record<string, string> = {};
    r.originalNames.forEach((n, i) => {
      if (r.originalValues[i] !== undefined) want[n] = r.originalValues[i]!;
    });
    expect(d.original).toEqual(want);
    expect(Object.keys(d.original)).toEqual(Object.keys(want));
  });

  it('rebuilds the raw CSV line for CSV evidence', () => {
    const recs = cimRecords({ count: 5 });
    const store = buildStore([{ records: recs, opts: { rawFormat: 'csv' } }]);
    const d = eventDetails(store, 2);
    expect(d.raw.startsWith(recs[2]!.originalValues[0]! + ',' + recs[2]!.originalValues[1]!)).toBe(true);
    expect(d.original['process']).toBe(recs[2]!.originalValues[3]);
  });
});

describe('processTree by GUID', () => {
  const recs = sysmonRecords({ count: 400, seed: 12, order: 'shuffled' });
  const store = buildStore([{ records: recs.slice(0, 200) }, { records: recs.slice(200) }]);
  const byGuid = new Map(recs.map((r, i) => [r.fields.process_guid!, i]));

  it('ancestors up the parent GUID chain, children by parent GUID, depth and relation', () => {
    // An event with both a grandparent and children.
    const target = recs.findIndex((r, i) => {
      const p = r.fields.parent_process_guid && byGuid.get(r.fields.parent_process_guid);
      return p !== undefined && p !== '' && recs[p as number]!.fields.parent_process_guid && recs.some((c) => c.fields.parent_process_guid === recs[i]!.fields.process_guid);
    });
    expect(target).toBeGreaterThanOrEqual(0);
    const chain: number[] = [];
    for (let g = target; ; ) {
      const pg = recs[g]!.fields.parent_process_guid;
      const p = pg === undefined ? undefined : byGuid.get(pg);
      if (p === undefined) break;
      chain.unshift(p);
      g = p;
    }
    const tree = processTree(store, target);
    const ancestors = tree.filter((n) => n.relation === 'ancestor');
    expect(ancestors.map((n) => n.row)).toEqual(chain);
    expect(ancestors.map((n) => n.depth)).toEqual(chain.map((_, i) => i));
    const self = tree.find((n) => n.relation === 'self')!;
    expect(self).toMatchObject({ row: target, depth: chain.length, process: recs[target]!.fields.process, process_id: recs[target]!.fields.process_id });
    const kids = recs.flatMap((c, i) => (c.fields.parent_process_guid === recs[target]!.fields.process_guid ? [i] : [])).sort((a, b) => recs[a]!.timeMs - recs[b]!.timeMs || a - b);
    expect(tree.filter((n) => n.relation === 'child').map((n) => n.row)).toEqual(kids);
    for (const n of tree.filter((x) => x.relation === 'child')) expect(n.depth).toBe(chain.length + 1);
    // Every descendant's parent appears before it in the preorder list.
    for (const n of tree.filter((x) => x.relation === 'descendant')) {
      const parentRow = byGuid.get(recs[n.row]!.fields.parent_process_guid!)!;
      const pi = tree.findIndex((x) => x.row === parentRow);
      expect(pi).toBeGreaterThanOrEqual(0);
      expect(tree[pi]!.depth).toBe(n.depth - 1);
    }
  });
});

describe('processTree by pid (no GUIDs)', () => {
  const T = Date.UTC(2024, 4, 1, 8);
  let n = 0;
  const ev = (host: string, dtMs: number, name: string, pid: string, ppid?: string): IngestRecord => {
    const fields: Partial<Record<CanonicalField, string>> = { dest: host, process_name: name, process: name, process_id: pid };
    if (ppid) fields.parent_process_id = ppid;
    n++;
    return { timeMs: T + dtMs, source: 'security-4688', fields, originalNames: [], originalValues: [], record: n, line: n, byteOffset: 0 };
  };
  const recs = [
    ev('H1', 0, 'explorer.exe', '100'),
    ev('H1', 10_000, 'cmd.exe', '200', '100'),
    ev('H2', 15_000, 'other-host-child.exe', '300', '100'),
    ev('H1', 20_000, 'whoami.exe', '300', '200'),
    ev('H1', 30_000, 'svchost.exe', '200', '100'), // pid 200 reused
    ev('H1', 40_000, 'net.exe', '400', '200'),
    ev('H1', 25 * 3600_000, 'late.exe', '500', '100'), // beyond the pid window
  ];
  const store = buildStore([{ records: recs }]);

  it('links a child to the latest earlier process with its parent pid on the same host', () => {
    const tree = processTree(store, 5);
    expect(tree.map((x) => [recs[x.row]!.fields.process_name, x.relation, x.depth])).toEqual([
      ['explorer.exe', 'ancestor', 0],
      ['svchost.exe', 'ancestor', 1],
      ['net.exe', 'self', 2],
    ]);
  });

  it('children end where the pid is reused; other hosts and far-apart events are not linked', () => {
    expect(processTree(store, 1).map((x) => [recs[x.row]!.fields.process_name, x.relation])).toEqual([
      ['explorer.exe', 'ancestor'],
      ['cmd.exe', 'self'],
      ['whoami.exe', 'child'],
    ]);
    expect(processTree(store, 0).map((x) => [recs[x.row]!.fields.process_name, x.relation, x.depth])).toEqual([
      ['explorer.exe', 'self', 0],
      ['cmd.exe', 'child', 1],
      ['whoami.exe', 'descendant', 2],
      ['svchost.exe', 'child', 1],
      ['net.exe', 'descendant', 2],
    ]);
    // Parent pid 100 named, but its process is too far back (late.exe) or on another host: the parent is shown as
    // the child's fields name it, not linked to a logged event.
    expect(processTree(store, 6).map((x) => x.relation)).toEqual(['unlogged-parent', 'self']);
    expect(processTree(store, 2).map((x) => x.relation)).toEqual(['unlogged-parent', 'self']);
  });
});

describe('processTree: a parent whose creation is not in the evidence', () => {
  const T = Date.UTC(2020, 9, 19, 3, 30, 46);
  const rec = (n: number, fields: Partial<Record<CanonicalField, string>>): IngestRecord => ({
    timeMs: T + n, source: 'sysmon', fields: { dest: 'WORKSTATION5', ...fields }, originalNames: [], originalValues: [], record: n + 1, line: n + 1, byteOffset: 0,
  });
  // OTRF's PsExec capture: cmd.exe (not logged) starts PsExec.exe, which starts nothing on this host.
  const recs = [
    rec(0, { process_name: 'PsExec.exe', process: 'PsExec.exe -accepteula -s cmd', process_id: '7256', process_guid: '{a-1}', parent_process_guid: '{a-0}', parent_process_name: 'cmd.exe', parent_process: 'cmd.exe /c run.bat', parent_process_id: '4120' }),
    rec(1, { process_name: 'conhost.exe', process: 'conhost.exe 0xffffffff', process_id: '7300', process_guid: '{a-2}', parent_process_guid: '{a-1}', parent_process_id: '7256', parent_process_path: 'C:\\Tools\\PsExec.exe' }),
    rec(2, { process_name: 'orphan.exe', process_id: '9000', parent_process_path: 'C:\\Windows\\explorer.exe' }),
    rec(3, { process_name: 'alone.exe', process_id: '9100' }),
  ];
  const store = buildStore([{ records: recs }]);

  it('heads the chain with the parent its topmost logged process names, then shifts every depth by one', () => {
    expect(processTree(store, 1)).toEqual([
      { row: 0, timeMs: T, process_name: 'cmd.exe', process: 'cmd.exe /c run.bat', process_id: '4120', depth: 0, relation: 'unlogged-parent' },
      { row: 0, timeMs: T, process_name: 'PsExec.exe', process: 'PsExec.exe -accepteula -s cmd', process_id: '7256', depth: 1, relation: 'ancestor' },
      { row: 1, timeMs: T + 1, process_name: 'conhost.exe', process: 'conhost.exe 0xffffffff', process_id: '7300', depth: 2, relation: 'self' },
    ]);
    expect(processTree(store, 0).map((x) => [x.process_name, x.relation, x.depth])).toEqual([
      ['cmd.exe', 'unlogged-parent', 0],
      ['PsExec.exe', 'self', 1],
      ['conhost.exe', 'child', 2],
    ]);
  });

  it('names it by the parent path\'s basename when no name is given, and adds nothing when no parent is named', () => {
    expect(processTree(store, 2).map((x) => [x.process_name, x.process_id, x.relation])).toEqual([
      ['explorer.exe', null, 'unlogged-parent'],
      ['orphan.exe', '9000', 'self'],
    ]);
    expect(processTree(store, 3).map((x) => x.relation)).toEqual(['self']);
  });
});
