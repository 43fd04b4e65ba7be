// Memory bound of the store on 1,000,000 realistic CIM rows, measured by the store's own byte count
// against the size of the same rows as a CSV export (computed here). No wall-time assertion.

import { describe, expect, it } from 'vitest';
import type { CanonicalField } from '../../../engine/model/fields.ts';
import { SegmentBuilder } from '../../../engine/store/builder.ts';
import { EventStore } from '../../../engine/store/store.ts';
import { rng } from './gen-events.ts';

const NAMES: CanonicalField[] = [
  'dest', 'user', 'process', 'process_name', 'process_path', 'parent_process', 'parent_process_name',
  'parent_process_path', 'process_id', 'parent_process_id', 'process_guid', 'parent_process_guid',
  'process_current_directory', 'process_integrity_level',
];
const HEADER = ['_time', ...NAMES];

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
}

function hex(n: number, width: number): string {
  return (n >>> 0).toString(16).padStart(width, '0').slice(-width).toUpperCase();
}

describe('store memory', () => {
  it('1,000,000 CIM rows stay under 0.30 x their CSV size', () => {
    const N = 1_000_000;
    const r = rng(42);
    const hosts = Array.from({ length: 200 }, (_, i) => `WKS-${String(i).padStart(4, '0')}.corp.example.com`);
    const users = Array.from({ length: 400 }, (_, i) => `CORP\\user${String(i).padStart(3, '0')}`);
    const images = Array.from({ length: 60 }, (_, i) => {
      const name = `tool${i}.exe`;
      return { name, path: i % 3 === 0 ? `C:\\Windows\\System32\\${name}` : `C:\\Program Files\\Vendor${i % 7}\\bin\\${name}` };
    });
    const verbs = ['/c dir', '-ExecutionPolicy Bypass -File', '/S /Q', '--update --silent', 'process call create', '-k netsvcs -p'];
    // Each host keeps a pool of live parent processes; children pick one, so parents repeat.
    type Proc = { guid: string; pid: string; cmd: string; cmdCsvBytes: number; image: (typeof images)[number] };
    const pools: Proc[][] = hosts.map(() => []);
    let guidCounter = 0x1000;
    const newGuid = (): string => {
      guidCounter++;
      const a = Math.imul(guidCounter, 2654435761);
      return `{${hex(a, 8)}-${hex(guidCounter >>> 16, 4)}-11EE-${hex(a >>> 7, 4)}-${hex(guidCounter, 8)}${hex(a >>> 3, 4)}}`;
    };
    const newProc = (): Proc => {
      const image = images[Math.floor(r() * images.length)]!;
      const cmd = `"${image.path}" ${verbs[Math.floor(r() * verbs.length)]} C:\\Users\\Public\\${Math.floor(r() * 1e9).toString(36)}\\${Math.floor(r() * 1e6)}.dat`;
      return { guid: newGuid(), pid: String(4 + 4 * Math.floor(r() * 16000)), cmd, cmdCsvBytes: csvCell(cmd).length, image };
    };
    const b = new SegmentBuilder({ evidence: 0, evidenceName: 'big.csv', rawFormat: 'csv' });
    const headerBytes = HEADER.join(',').length + 2;
    let csvBytes = headerBytes;
    let exactBytes = 0;
    let t = Date.UTC(2024, 4, 1);
    for (let i = 0; i < N; i++) {
      t += Math.floor(r() * 200);
      const h = Math.floor(r() * hosts.length);
      const pool = pools[h]!;
      if (pool.length < 30 || r() < 0.05) {
        if (pool.length >= 30) pool.splice(Math.floor(r() * pool.length), 1);
        pool.push(newProc());
      }
      const parent = pool[Math.floor(r() * pool.length)]!;
      const p = newProc();
      const f = {
        dest: hosts[h]!,
        user: users[(h * 2 + Math.floor(r() * 3)) % users.length]!,
        process: p.cmd,
        process_name: p.image.name,
        process_path: p.image.path,
        parent_process: parent.cmd,
        parent_process_name: parent.image.name,
        parent_process_path: parent.image.path,
        process_id: p.pid,
        parent_process_id: parent.pid,
        process_guid: p.guid,
        parent_process_guid: parent.guid,
        process_current_directory: 'C:\\Windows\\system32\\',
        process_integrity_level: r() < 0.2 ? 'High' : 'Medium',
      };
      const time = new Date(t).toISOString();
      // Every value is ASCII and only command lines need CSV quoting: bytes = lengths + separators.
      csvBytes += time.length + NAMES.length + 2 + p.cmdCsvBytes + parent.cmdCsvBytes - p.cmd.length - parent.cmd.length;
      for (let k = 0; k < NAMES.length; k++) csvBytes += f[NAMES[k] as keyof typeof f].length;
      const values = [time, f.dest, f.user, f.process, f.process_name, f.process_path, f.parent_process, f.parent_process_name, f.parent_process_path, f.process_id, f.parent_process_id, f.process_guid, f.parent_process_guid, f.process_current_directory, f.process_integrity_level];
      if (i < 1000) {
        exactBytes += values.map(csvCell).join(',').length + 2;
        if (i === 999) expect(csvBytes - headerBytes).toBe(exactBytes);
      }
      b.append({ timeMs: t, source: 'cim', fields: f, originalNames: HEADER, originalValues: values, record: i + 1, line: i + 2, byteOffset: csvBytes });
    }
    const seg = b.finish();
    const store = new EventStore([seg]);
    const bytes = store.byteSize();
    const ratio = bytes / csvBytes;
    console.log(`store ${(bytes / 1e6).toFixed(1)} MB for ${(csvBytes / 1e6).toFixed(1)} MB of CSV: ratio ${ratio.toFixed(3)}, ${(bytes / N).toFixed(0)} B/row`);
    expect(store.rowCount).toBe(N);
    expect(seg.canonical['process']!.kind).toBe('arena');
    // Command lines share their executable paths (60 images) instead of repeating them.
    const proc = seg.canonical['process']!;
    if (proc.kind !== 'arena') throw new Error('arena expected');
    expect(proc.prefixes!.length).toBeLessThanOrEqual(61);
    // Unique GUIDs: 16 bytes each instead of 38 characters.
    expect(seg.canonical['process_guid']!.kind).toBe('guid');
    expect(seg.canonical['dest']!.kind).toBe('dict');
    // 200 hosts and 60 image names: one byte per row each; 16,000 pids: two.
    const idBytes = (f: string): number => {
      const c = seg.canonical[f]!;
      if (c.kind !== 'dict') throw new Error(`${f}: dictionary expected`);
      return c.ids.BYTES_PER_ELEMENT;
    };
    expect(idBytes('dest')).toBe(1);
    expect(idBytes('process_name')).toBe(1);
    expect(idBytes('process_integrity_level')).toBe(1);
    expect(idBytes('process_id')).toBe(2);
    // Parents repeat over the file even though every early row brings a new one: dictionary.
    expect(seg.canonical['parent_process']!.kind).toBe('dict');
    expect(seg.canonical['process_id']!.kind).toBe('dict');
    // The CIM header maps 1:1 onto canonical fields and `_time` is the event time as ISO text:
    // no original column is stored a second time.
    expect(seg.original.filter((c) => c.kind !== 'alias').length).toBe(0);
    expect(ratio).toBeLessThan(0.3);
    // The time and host indexes add a bounded amount per row.
    store.timeOrder();
    store.hosts();
    expect(store.byteSize() - bytes).toBeLessThanOrEqual(16 * N + 1024);
    expect(store.value(N - 1, 'process_guid')).toBe(`{${hex(Math.imul(guidCounter - 0, 2654435761), 8)}-${hex(guidCounter >>> 16, 4)}-11EE-${hex(Math.imul(guidCounter, 2654435761) >>> 7, 4)}-${hex(guidCounter, 8)}${hex(Math.imul(guidCounter, 2654435761) >>> 3, 4)}}`);
  });
});
