// ingestFile over temporary files: UTF-16LE with BOM (PowerShell redirection), UTF-8 with multi-byte
// characters split across read chunks, byte-offset locators, progress, cancellation.
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../../engine/node/ingest-file.ts';
import { CollectingSink } from '../../../engine/ingest/index.ts';
import { HopscopeError } from '../../../engine/model/errors.ts';
import { UnknownFormatError } from '../../../engine/ingest/ingestor.ts';
import { gzipSync } from 'node:zlib';

const dir = mkdtempSync(join(tmpdir(), 'hopscope-ingest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = [
  { TimeCreated: '2020-10-19 03:30:41.104', EventID: 1102, Channel: 'Security', Hostname: 'WORKSTATION5' },
  { TimeCreated: '2020-10-19 03:30:46.257', EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: 'WORKSTATION5', Image: 'C:\\Users\\Jöse\\Downloads\\PSTools\\PsExec.exe', CommandLine: 'PsExec.exe  -accepteula -s cmd /c echo 漢字📁', User: 'WORKSTATION5\\Jöse' },
  { TimeCreated: '2020-10-19 03:30:46.251', EventID: 4688, Channel: 'Security', Hostname: 'WORKSTATION5', NewProcessName: 'C:\\Windows\\System32\\reg.exe', NewProcessId: '0x1f4', ProcessId: '0x850', SubjectUserName: 'wardog', SubjectDomainName: 'WORKSTATION5', CommandLine: 'reg save HKLM\\security\\policy\\secrets' },
];
const TEXT = LINES.map((l) => JSON.stringify(l)).join('\r\n') + '\r\n';

/** The process creations a sink received (LINES[0] is Security 1102, kept as an event of kind other). */
function procs(sink: CollectingSink) {
  return sink.records.filter((r) => (r.kind ?? 'process_creation') === 'process_creation');
}

function utf16leWithBom(s: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
}

describe('ingestFile', () => {
  it('reads UTF-16LE with BOM in odd-sized chunks; locators carry file byte offsets', async () => {
    const path = join(dir, 'ps-redirect.json');
    writeFileSync(path, utf16leWithBom(TEXT));
    const sink = new CollectingSink();
    const progress: number[] = [];
    const r = await ingestFile(path, { evidence: 3, sink, chunkBytes: 4097, onProgress: (b) => progress.push(b) });
    expect(r.encoding).toBe('utf-16le');
    expect(r.stats).toMatchObject({ records: 3, appended: 3, nonProcess: 0, invalidBytesReplaced: 0 });
    expect(sink.records[0]!.kind).toBe('other'); // Security 1102, the audit log cleared
    expect(procs(sink)[0]!.fields.process).toBe('PsExec.exe  -accepteula -s cmd /c echo 漢字📁');
    const line2Start = 2 + (JSON.stringify(LINES[0]).length + 2) * 2;
    expect(procs(sink)[0]!.byteOffset).toBe(line2Start);
    expect(procs(sink)[0]!.line).toBe(2);
    expect(progress.at(-1)).toBe(readFileSync(path).length);
  });

  it('keeps multi-byte UTF-8 characters intact across tiny read chunks and reports UTF-8 byte offsets', async () => {
    const path = join(dir, 'utf8.json');
    const bytes = Buffer.from(TEXT, 'utf8');
    writeFileSync(path, bytes);
    for (const chunkBytes of [1, 3, 4096]) {
      const sink = new CollectingSink();
      const r = await ingestFile(path, { evidence: 0, sink, chunkBytes });
      expect(r.stats.appended).toBe(3);
      expect(procs(sink)[0]!.fields.process).toBe(LINES[1]!.CommandLine);
      expect(procs(sink)[0]!.fields.user).toBe('WORKSTATION5\\Jöse');
      expect(procs(sink)[1]!.byteOffset).toBe(bytes.indexOf(Buffer.from('{"TimeCreated":"2020-10-19 03:30:46.251"')));
      expect(procs(sink)[1]!.fields.process_id).toBe('500');
    }
  });

  it('counts invalid bytes replaced', async () => {
    const path = join(dir, 'bad-bytes.json');
    const good = Buffer.from(JSON.stringify(LINES[1]) + '\n', 'utf8');
    const i = good.indexOf(Buffer.from('cmd /c'));
    good[i] = 0xff;
    writeFileSync(path, good);
    const sink = new CollectingSink();
    const r = await ingestFile(path, { evidence: 0, sink });
    expect(r.stats.invalidBytesReplaced).toBe(1);
    expect(sink.records[0]!.fields.process).toContain('\uFFFDmd /c');
  });

  it('throws E_CANCELLED when cancelled between chunks', async () => {
    const path = join(dir, 'big.json');
    writeFileSync(path, TEXT.repeat(200));
    let calls = 0;
    const sink = new CollectingSink();
    const p = ingestFile(path, { evidence: 0, sink, chunkBytes: 4096, isCancelled: () => ++calls > 2 });
    await expect(p).rejects.toBeInstanceOf(HopscopeError);
    await expect(p).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(sink.records.length).toBeLessThan(400);
  });

  it('gives the same records over several 1 MiB reads, whatever the slice size and however the ranges split', async () => {
    const path = join(dir, 'multi-read.json');
    const text = TEXT.repeat(5000);
    writeFileSync(path, text);
    const size = Buffer.byteLength(text);
    expect(size).toBeGreaterThan(3 << 20);
    const run = async (o: { chunkBytes?: number; ranges?: Array<[number, number]> }) => {
      const sink = new CollectingSink();
      const seen: number[] = [];
      const r = await ingestFile(path, { evidence: 0, sink, ...o, onChunk: (b) => seen.push(b.length) });
      return { r, sink, seen };
    };
    const base = await run({});
    expect(base.r.stats.appended).toBe(15_000);
    // Every record intact (a read landing in the buffer being parsed would garble some).
    const want = [LINES[1]!.CommandLine, LINES[2]!.CommandLine];
    procs(base.sink).forEach((x, i) => expect(x.fields.process).toBe(want[i % 2]));
    expect(base.r.bytes).toBe(size);
    // Slices of at most 96 KiB reach the decoder.
    expect(Math.max(...base.seen)).toBe(96 << 10);
    expect(base.seen.reduce((a, b) => a + b, 0)).toBe(size);
    const cut = Buffer.from(text).indexOf('\n', (size >> 1) + 12345) + 1;
    for (const o of [{ chunkBytes: 4093 }, { chunkBytes: (1 << 20) + 7 }, { ranges: [[0, cut], [cut, size]] as Array<[number, number]> }, { ranges: [[0, cut], [cut, Infinity]] as Array<[number, number]> }]) {
      const other = await run(o);
      expect(other.r.stats).toEqual(base.r.stats);
      expect(other.r.bytes).toBe(size);
      expect(other.sink.records.map((x) => [x.record, x.line, x.byteOffset, x.fields.process])).toEqual(base.sink.records.map((x) => [x.record, x.line, x.byteOffset, x.fields.process]));
    }
  });

  it('stops between slices when cancelled while the next read is in flight, and can read the file again', async () => {
    const path = join(dir, 'multi-read-cancel.json');
    writeFileSync(path, TEXT.repeat(4000));
    let calls = 0;
    const sink = new CollectingSink();
    await expect(ingestFile(path, { evidence: 0, sink, isCancelled: () => ++calls > 15 })).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(sink.records.length).toBeGreaterThan(0);
    expect(sink.records.length).toBeLessThan(12000);
    const again = await ingestFile(path, { evidence: 0, sink: new CollectingSink() });
    expect(again.stats.appended).toBe(12000);
  });

  it('fails with E_IO for a missing file', async () => {
    await expect(ingestFile(join(dir, 'nope.json'), { evidence: 0, sink: new CollectingSink() })).rejects.toMatchObject({ code: 'E_IO' });
  });
});

describe('files that are not text log exports', () => {
  /** The first bytes of a real .evtx (file header), then chunk data with a line feed among the binary bytes. */
  const evtxHead = Buffer.concat([Buffer.from('ElfFile\0', 'latin1'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0x0a, 0x80, 0, 0, 1, 0, 3, 0]), Buffer.from('ElfChnk\0', 'latin1')]);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['Security.evtx', evtxHead, /binary Windows event log \(\.evtx\) cut short: its file header has 44 of 4096 bytes/],
    ['old.evt', Buffer.concat([Buffer.from([0x30, 0, 0, 0]), Buffer.from('LfLe', 'latin1'), Buffer.from([1, 0, 0, 0, 1, 0, 0, 0])]), /legacy binary event log \(\.evt\)/],
    ['logs.zip', Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), Buffer.from([0x14, 0, 0, 0, 8, 0]), Buffer.from('sysmon.csv')]), /ZIP archive: extract/],
    ['events.csv.gz', gzipSync(Buffer.from('_time,host,process\n2024-01-01T00:00:00Z,h,cmd.exe\n')), /gzip-compressed file: decompress it first/],
    ['dump.bin', Buffer.concat([Buffer.from('MZ\u0090\u0000\u0003\u0000', 'latin1'), Buffer.from('\nThis program cannot be run in DOS mode')]), /binary data \(a NUL character at character \d+ of the first line\)/],
  ];
  for (const [name, bytes, reason] of cases) {
    it(`${name}: one located E_FORMAT error naming what the file is, for any read chunking`, async () => {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      for (const chunkBytes of [1, 3, 4096]) {
        const sink = new CollectingSink();
        const err = await ingestFile(path, { evidence: 0, sink, chunkBytes }).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(HopscopeError);
        expect((err as HopscopeError).code).toBe('E_FORMAT');
        expect((err as HopscopeError).message).toMatch(reason);
        expect((err as HopscopeError).location?.file).toBe(name);
        // Named once: the location is appended to the message a single time.
        expect((err as HopscopeError).message.split(name).length - 1).toBe(1);
        expect(sink.records).toHaveLength(0);
      }
    });
  }

  it('a NUL inside a later CSV value is data, not a reason to refuse the file', async () => {
    const path = join(dir, 'nul-value.csv');
    writeFileSync(path, '_time,dest,process\n2024-01-01T00:00:00Z,h1,cmd.exe /c a\u0000b\n2024-01-01T00:00:01Z,h1,whoami.exe\n');
    const sink = new CollectingSink();
    const r = await ingestFile(path, { evidence: 0, sink });
    expect(r.stats.appended).toBe(2);
    expect(sink.records[0]!.fields.process).toBe('cmd.exe /c a\u0000b');
  });

  it('JSON and XML are never refused as binary, however the text is chunked (a NUL there is the reader\'s to reject)', async () => {
    const path = join(dir, 'nul.xml');
    writeFileSync(path, '<?xml version="1.\u00000"?>\n<Events><Event><System><EventID>1</EventID></System></Event></Events>\n');
    const answers = new Set<string>();
    for (const chunkBytes of [1, 3, 4096]) {
      const sink = new CollectingSink();
      const r = await ingestFile(path, { evidence: 0, sink, chunkBytes }).then((x) => `records ${x.stats.records}`, (e: unknown) => `error ${(e as HopscopeError).code}`);
      answers.add(r);
    }
    expect([...answers]).toHaveLength(1);
    expect([...answers][0]).toMatch(/^records /);
  });

  it('a text file with one column is refused with a reason instead of offering a column mapping', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'Findings from the DC\nlooked at 4688 events\n');
    const err = await ingestFile(path, { evidence: 0, sink: new CollectingSink() }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HopscopeError);
    expect(err).not.toBeInstanceOf(UnknownFormatError);
    expect((err as HopscopeError).message).toMatch(/no comma, tab, semicolon or pipe.*not a delimited \(CSV\) export, nor JSON or XML \(notes\.txt\)$/);
  });
});
