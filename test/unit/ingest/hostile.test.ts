// Hostile input: deterministic mutations (byte flips, truncations, injected brackets/quotes) of real-shaped
// records in every container must never crash: only HopscopeErrors may escape, and counts always add up.
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';
import { HopscopeError } from '../../../engine/model/errors.ts';

const XML = `<?xml version="1.0" encoding="utf-8"?>\n<Events>\n<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Sysmon"/><EventID>1</EventID><TimeCreated SystemTime="2019-04-30T20:32:51.168589000Z"/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>IEWIN7</Computer></System><EventData><Data Name="Image">C:\\Windows\\System32\\cmd.exe</Data><Data Name="CommandLine">cmd.exe /Q /c cd \\ 1&gt; \\\\127.0.0.1\\ADMIN$\\__1 2&gt;&amp;1</Data></EventData></Event>\n<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>4688</EventID><TimeCreated SystemTime="2021-04-26T08:20:27Z"/><Channel>Security</Channel><Computer>fs03</Computer></System><EventData><Data Name="NewProcessName">C:\\Windows\\System32\\cmd.exe</Data><Data Name="NewProcessId">0x1f4</Data></EventData></Event>\n</Events>\n`;
const NDJSON = [
  { TimeCreated: '2020-10-19 03:30:46.257', EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Hostname: 'WORKSTATION5', Image: 'C:\\x\\PsExec.exe', CommandLine: 'PsExec.exe -accepteula' },
  { TimeCreated: '2020-10-19 03:30:46.251', EventID: 4688, Channel: 'Security', Hostname: 'WORKSTATION5', NewProcessName: 'C:\\x\\PsExec.exe', NewProcessId: '0x1c58' },
  { TimeCreated: '2020-10-19 03:30:45.323', EventID: 5158, Channel: 'Security', Hostname: 'WORKSTATION5' },
].map((o) => JSON.stringify(o)).join('\n') + '\n';
const ARRAY = '[\n' + NDJSON.trim().split('\n').join(',\n') + '\n]';
const CSV = '_time,dest,process,parent_process_name\r\n2024-05-01T08:00:00Z,WS1,"cmd.exe /c ""a, b""\r\nsecond line",explorer.exe\r\n2024-05-01T08:00:01Z,WS2,whoami,cmd.exe\r\n';

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = ['<', '>', '&', '"', "'", '{', '}', '[', ']', ',', '\n', '\r', '\\', '\u0000', '\uFFFD', '\uD83D', '<!DOCTYPE x>', '&#0;', '&#x110000;', ']]>', '<![CDATA[', '</Event>', '<Event>'];

function mutate(text: string, r: () => number): string {
  let s = text;
  const ops = 1 + Math.floor(r() * 4);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(r() * s.length);
    const op = r();
    if (op < 0.4) s = s.slice(0, at) + NASTY[Math.floor(r() * NASTY.length)] + s.slice(at);
    else if (op < 0.7) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 20));
    else if (op < 0.85) s = s.slice(0, at);
    else s = s.slice(0, at) + s.slice(at, at + 30) + s.slice(at);
  }
  return s;
}

describe('mutated inputs never crash the ingest', () => {
  for (const [name, base] of [['xml', XML], ['ndjson', NDJSON], ['json array', ARRAY], ['csv', CSV]] as const) {
    it(`${name}: 300 mutations`, () => {
      const r = rng(name.length * 7919);
      let processed = 0;
      for (let i = 0; i < 300; i++) {
        const text = mutate(base, r);
        const chunkChars = 1 + Math.floor(r() * 64);
        try {
          const out = ingestText(text, { chunkChars });
          const s = out.stats;
          expect(s.appended + s.rejected + s.nonProcess).toBe(s.records);
          expect(out.events).toHaveLength(s.appended);
          for (const e of out.events) expect(Number.isFinite(e.timeMs)).toBe(true);
          processed++;
        } catch (err) {
          if (!(err instanceof HopscopeError)) throw new Error(`mutation ${i} threw ${String(err)}: ${JSON.stringify(text)}`);
        }
      }
      expect(processed).toBeGreaterThan(100);
    });
  }
});

describe('field names and values that look like Object.prototype members', () => {
  it('keeps __proto__/constructor keys as data and never maps them through lookup tables', () => {
    const line = '{"TimeCreated":"2020-10-19 03:30:46.251","EventID":4688,"Channel":"Security","Hostname":"WS1","NewProcessName":"C:\\\\x\\\\a.exe",' +
      '"MandatoryLabel":"constructor","__proto__":{"polluted":"yes"},"constructor":"c","toString":"t"}';
    const r = ingestText(line + '\n');
    const e = r.events[0]!;
    expect(e.fields.process_integrity_level).toBe('constructor');
    expect(typeof e.fields.process_integrity_level).toBe('string');
    expect(e.original['constructor']).toBe('c');
    expect(e.original['toString']).toBe('t');
    expect(e.original['__proto__.polluted']).toBe('yes');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(e.original)).toBe(Object.prototype);
  });
  it('CrowdStrike IntegrityLevel "__proto__" stays a string', () => {
    const r = ingestText(JSON.stringify({ event_simpleName: 'ProcessRollup2', timestamp: '1714550400123', ComputerName: 'W', ImageFileName: '\\Device\\HarddiskVolume1\\a.exe', IntegrityLevel: '__proto__' }) + '\n');
    expect(r.events[0]!.fields.process_integrity_level).toBe('__proto__');
  });
});
