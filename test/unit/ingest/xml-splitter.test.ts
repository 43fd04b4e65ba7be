// The Windows event XML splitter (engine/ingest/xml-reader.ts) accounts for every event tag (issue 16, item 2): a
// self-closing <Event/>, a namespace prefix, a damaged start or end tag and an event inside a comment are each a
// record or a located rejection, for any chunking; events in comments are never read; parallel cuts inside a comment
// fall back to the sequential answer.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';
import { ingestRange, parallelIngest } from '../../../engine/node/parallel-ingest.ts';
import { EventStore } from '../../../engine/store/store.ts';

const ROOT = join(import.meta.dirname, '../../..');
const NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

const proc = (n: number, host = 'WKS-1'): string =>
  `<Event xmlns="${NS}"><System><Provider Name="Microsoft-Windows-Sysmon"/><EventID>1</EventID><TimeCreated SystemTime="2024-03-12T10:00:0${n % 10}.000Z"/><EventRecordID>${n}</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>${host}</Computer></System><EventData><Data Name="Image">C:\\Windows\\System32\\cmd.exe</Data><Data Name="CommandLine">cmd.exe /c echo ${n}</Data><Data Name="ParentImage">C:\\Windows\\explorer.exe</Data><Data Name="User">CORP\\u</Data></EventData></Event>`;

const wrap = (...parts: string[]): string => `<?xml version="1.0" encoding="utf-8"?>\n<Events>\n${parts.join('\n')}\n</Events>\n`;

/** Whole and in 1-, 7- and 64-char chunks: the same stats and rejections every time. */
function ingestAll(text: string) {
  const whole = ingestText(text);
  for (const chunkChars of [1, 7, 64]) {
    const r = ingestText(text, { chunkChars });
    expect(r.stats).toEqual(whole.stats);
    expect(r.rejects).toEqual(whole.rejects);
    expect(r.events.map((e) => e.locator)).toEqual(whole.events.map((e) => e.locator));
  }
  const { records, appended, rejected, nonProcess } = whole.stats;
  expect(appended + rejected + nonProcess).toBe(records);
  return whole;
}

describe('XML splitter: every event tag is a record or a located rejection', () => {
  it('an empty <Event/> before a real event is one record and the real event is read (was: the event vanished)', () => {
    for (const empty of ['<Event/>', '<Event />', `<Event xmlns="${NS}"/>`]) {
      const r = ingestAll(wrap(empty, proc(1)));
      expect(r.stats).toMatchObject({ records: 2, appended: 1 });
      expect(r.events[0]!.fields.process).toBe('cmd.exe /c echo 1');
      expect(r.events[0]!.locator.line).toBe(4);
    }
  });

  it('reads events with a namespace prefix (<e:Event> ... </e:Event>)', () => {
    const prefixed = proc(2).replace(/<(\/?)(\w)/g, '<$1e:$2').replace(`xmlns="${NS}"`, `xmlns:e="${NS}"`);
    expect(prefixed.startsWith('<e:Event xmlns:e=')).toBe(true);
    const r = ingestAll(wrap(proc(1), prefixed, proc(3)));
    expect(r.stats).toMatchObject({ records: 3, appended: 3, rejected: 0 });
    expect(r.events.map((e) => e.fields.process)).toEqual(['cmd.exe /c echo 1', 'cmd.exe /c echo 2', 'cmd.exe /c echo 3']);
  });

  it('a damaged start tag is a located rejection, and the events around it are kept', () => {
    for (const damage of ['<Evxnt ', '<Event\u0001', 'xEvent ', '<EVENT ', '<Event\u00e9']) {
      const bad = proc(2).replace('<Event ', damage);
      const r = ingestAll(wrap(proc(1), bad, proc(3)));
      expect(r.stats, damage).toMatchObject({ records: 3, appended: 2, rejected: 1 });
      expect(r.rejects[0]).toMatchObject({ code: 'xml-syntax', line: 4 });
      expect(r.events.map((e) => e.fields.process)).toEqual(['cmd.exe /c echo 1', 'cmd.exe /c echo 3']);
    }
  });

  it('a damaged end tag rejects its event and the next event is still read on its own', () => {
    const bad = proc(2).replace('</Event>', '</Evxnt>');
    const r = ingestAll(wrap(proc(1), bad, proc(3), proc(4)));
    expect(r.stats).toMatchObject({ records: 4, appended: 3, rejected: 1 });
    expect(r.rejects[0]).toMatchObject({ code: 'xml-syntax', line: 4 });
    expect(r.events.map((e) => e.fields.process)).toEqual(['cmd.exe /c echo 1', 'cmd.exe /c echo 3', 'cmd.exe /c echo 4']);
    // The last event's end tag damaged: not closed at end of input.
    const last = ingestAll(wrap(proc(1), proc(2).replace('</Event>', '</Evxnt>')));
    expect(last.stats).toMatchObject({ records: 2, appended: 1, rejected: 1 });
  });

  it('an event inside a comment is never read: a located xml-commented rejection each', () => {
    const r = ingestAll(wrap(proc(1), `<!-- old:\n${proc(2)}\n<e:Event xmlns:e="x"/> -->`, proc(3)));
    expect(r.events.map((e) => e.fields.process)).toEqual(['cmd.exe /c echo 1', 'cmd.exe /c echo 3']);
    expect(r.stats).toMatchObject({ records: 4, appended: 2, rejected: 2 });
    expect(r.rejects.map((j) => [j.code, j.line])).toEqual([['xml-commented', 5], ['xml-commented', 6]]);
    // A comment never closed: said at its line; the event starts in it are listed after it.
    const open = ingestAll(wrap(proc(1), `<!-- ${proc(2)}`).replace(/\n<\/Events>\n$/, ''));
    expect(open.rejects.map((j) => [j.code, j.line])).toEqual([['xml-comment-open', 4], ['xml-commented', 4]]);
    expect(open.stats.appended).toBe(1);
  });

  it('a comment longer than the record limit is reported once and not buffered', () => {
    const text = wrap(proc(1), `<!-- ${'x'.repeat(5000)} ${proc(2)} ${'y'.repeat(5000)} -->`, proc(3));
    for (const chunkChars of [undefined, 100]) {
      const r = ingestText(text, { maxRecordChars: 3000, ...(chunkChars ? { chunkChars } : {}) });
      expect(r.rejects.map((j) => j.code)).toEqual(['xml-comment-open', 'xml-commented']);
      expect(r.stats.appended).toBe(2);
    }
  });

  it('mutated start and end tags: the records cover every intact start tag, for any chunking', () => {
    let seed = 11;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    for (let trial = 0; trial < 60; trial++) {
      const parts: string[] = [];
      for (let i = 0; i < 12; i++) {
        let e = proc(i);
        const k = rnd(6);
        if (k === 0) {
          // One byte of the start tag (within `<Event xmlns`), or of the end tag, replaced.
          const at = rnd(12);
          e = e.slice(0, at) + String.fromCharCode(33 + rnd(90)) + e.slice(at + 1);
        } else if (k === 1) {
          const at = e.length - 1 - rnd(8);
          e = e.slice(0, at) + String.fromCharCode(33 + rnd(90)) + e.slice(at + 1);
        } else if (k === 2) e = '<Event/>\n' + e;
        parts.push(e);
      }
      const text = wrap(...parts);
      const r = ingestAll(text);
      const starts = (text.match(/<([A-Za-z_][\w.-]*:)?Event[\s>/]/g) ?? []).length;
      expect(r.stats.records, text).toBeGreaterThanOrEqual(starts);
    }
  });
});

describe('XML splitter: parallel cuts inside a comment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hopscope-xmlsplit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the sequential answer when comments between events hold </Event> and event starts', async () => {
    const sample = readFileSync(join(ROOT, 'resources/samples/corp-lateral-movement.sysmon.xml'), 'utf8');
    const events = sample.match(/<Event xmlns[\s\S]*?<\/Event>/g)!;
    // Every other event sits in a comment made of whole events, so about half the cut candidates are inside one.
    const body = Array.from({ length: 600 }, (_, i) => (i % 2 ? `<!--\n${events[i % events.length]}\n${events[(i + 1) % events.length]}\n-->` : events[i % events.length]!)).join('\n');
    const path = join(dir, 'comments.xml');
    writeFileSync(path, `<Events>\n${body}\n</Events>\n`);
    const job = { path, evidence: 1, name: 'comments.xml', rawFormat: 'json' as const };
    const seq = await ingestRange({ ...job, ranges: [[0, statSync(path).size]] });
    expect(seq.stats.rejectedByReason['xml-commented']).toBe(600);
    const dump = (store: EventStore) => {
      const rows: unknown[] = [];
      for (let g = 0; g < store.rowCount; g++) {
        const { view, row } = store.locate(g);
        rows.push([view.locator(row), view.text(row)]);
      }
      return rows;
    };
    const expected = dump(new EventStore([seq.segment]));
    let fellBack = 0;
    for (const parts of [2, 3, 4, 5, 6, 7]) {
      const par = await parallelIngest({ ...job, parts, minBytes: 0, minPartBytes: 1, runRange: ingestRange });
      if (!par) {
        fellBack++;
        continue;
      }
      expect(par.stats).toEqual(seq.stats);
      expect(dump(new EventStore(par.segments))).toEqual(expected);
    }
    expect(fellBack).toBeGreaterThan(0);
  });
});
