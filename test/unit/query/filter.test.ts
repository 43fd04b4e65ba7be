// Filter language: each operator against a brute-force check, precedence, located errors, hostile regex.

import { describe, expect, it } from 'vitest';
import { HopscopeError } from '../../../engine/model/errors.ts';
import { compileFilter, globMatch, parseFilter } from '../../../engine/query/filter.ts';
import { createMemoryView } from '../../../engine/store/memory-view.ts';
import type { EventView } from '../../../engine/store/view.ts';
import type { IngestRecord } from '../../../engine/model/sink.ts';
import { buildStore, sysmonRecords, toCanonical } from '../store/gen-events.ts';

const recs = sysmonRecords({ count: 400, seed: 21 });
const store = buildStore([
  { records: recs.slice(0, 150), opts: { evidenceName: 'a.xml' } },
  { records: recs.slice(150), opts: { evidenceName: 'a.xml' } },
]);

function matching(filter: string): number[] {
  const f = compileFilter(filter);
  const out: number[] = [];
  for (const v of store.views) {
    const test = f.forView(v);
    for (let r = 0; r < v.rowCount; r++) if (test(r)) out.push(v.base + r);
  }
  return out;
}

function expected(pred: (rec: IngestRecord) => boolean): number[] {
  return recs.flatMap((r, i) => (pred(r) ? [i] : []));
}

const lc = (s: string | undefined): string => (s ?? '').toLowerCase();
const text = (r: IngestRecord): string => lc(r.raw) + '\n' + lc(Object.entries(r.fields).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(' '));

function errorAt(filter: string): { column?: number; message: string } {
  try {
    compileFilter(filter);
  } catch (err) {
    expect(err).toBeInstanceOf(HopscopeError);
    const e = err as HopscopeError;
    expect(e.code).toBe('E_USAGE');
    return { column: e.location?.column, message: e.message };
  }
  throw new Error(`no error for ${filter}`);
}

describe('filter operators', () => {
  it('free text is a case-insensitive contains over the event text', () => {
    const got = matching('WMIPRVSE');
    expect(got).toEqual(expected((r) => text(r).includes('wmiprvse')));
    expect(got.length).toBeGreaterThan(0);
    expect(matching('"echo cd ^&gt;"')).toEqual(expected((r) => text(r).includes('echo cd ^&gt;')));
    expect(matching('"echo cd ^&gt;"').length).toBeGreaterThan(0);
  });

  it('free text on the store equals free text on the reference view (fast path vs full text)', () => {
    const ref = createMemoryView(recs.map((r) => toCanonical(r, 0)));
    for (const needle of ['EventCode', 'process_guid', 'SVC_BACKUP', 'zoë', 'Documents', '"dir C:"', 'high', 'ÄÖ.corp', 'Data', '1', 'cd^', '"=1"', 'exe*/c', 'quot;C', '&gt;', '>WS0', 'Data>', '1</', 'Event>', '0.0.1', '}</Data', 'High</', 'a>\\\\']) {
      const f = compileFilter(needle);
      const test = f.forView(ref);
      const want: number[] = [];
      for (let r = 0; r < ref.rowCount; r++) if (test(r)) want.push(r);
      expect(matching(needle), needle).toEqual(want);
    }
  });

  it('free text finds values that live only in skeleton holes (event time written as text)', () => {
    const evs: IngestRecord[] = Array.from({ length: 30 }, (_, i) => {
      const t = Date.UTC(2024, 4, 1, 8, 0, i);
      const sys = new Date(t).toISOString();
      return {
        timeMs: t, source: 'sysmon', fields: { dest: 'h1', process: `p${i}` },
        originalNames: ['TimeCreated_SystemTime', 'Computer', 'CommandLine'], originalValues: [sys, 'h1', `p${i}`],
        raw: `<Event><System><TimeCreated SystemTime="${sys}"/><Computer>h1</Computer></System><EventData><Data Name="CommandLine">p${i}</Data></EventData></Event>`,
        record: i + 1, line: i + 1, byteOffset: 0,
      };
    });
    const s = buildStore([{ records: evs }]);
    const v = s.views[0]!;
    expect(v.segment.original[0]).toMatchObject({ kind: 'alias', canonical: '_time' });
    const ref = createMemoryView(evs.map((r) => toCanonical(r, 0)));
    for (const needle of ['08:00:17', '"T08:00:2"', 'p2', 'Computer']) {
      const a = compileFilter(needle).forView(v);
      const b = compileFilter(needle).forView(ref);
      const got = evs.flatMap((_, r) => (a(r) ? [r] : []));
      expect(got, needle).toEqual(evs.flatMap((_, r) => (b(r) ? [r] : [])));
      expect(got.length, needle).toBeGreaterThan(0);
    }
  });

  it('field:value and field=value match the whole value case-insensitively', () => {
    const want = expected((r) => lc(r.fields.process_name) === 'cmd.exe');
    expect(want.length).toBeGreaterThan(0);
    expect(matching('process_name:CMD.EXE')).toEqual(want);
    expect(matching('process_name=cmd.exe')).toEqual(want);
    expect(matching('process_name:cmd')).toEqual([]);
  });

  it('wildcards * and ? and presence', () => {
    expect(matching('process_name:power*')).toEqual(expected((r) => lc(r.fields.process_name).startsWith('power')));
    expect(matching('user:corp\\?ob')).toEqual(expected((r) => r.fields.user === 'CORP\\bob'));
    expect(matching('parent_process_guid:*')).toEqual(expected((r) => r.fields.parent_process_guid !== undefined));
    expect(matching('process:*127.0.0.1*')).toEqual(expected((r) => lc(r.fields.process).includes('127.0.0.1')));
  });

  it('quoted values, != and original field names', () => {
    expect(matching('user:"NT AUTHORITY\\\\SYSTEM"')).toEqual(expected((r) => r.fields.user === 'NT AUTHORITY\\SYSTEM'));
    expect(matching('IntegrityLevel!=high')).toEqual(expected((r) => r.fields.process_integrity_level !== 'High'));
    // Absent fields match neither = nor !=.
    expect(matching('ParentImage!=x')).toEqual(expected((r) => r.fields.parent_process_path !== undefined));
    expect(matching('process_current_directory:""')).toEqual(expected((r) => !r.fields.process_current_directory));
  });

  it('/regex/ on text and on fields', () => {
    expect(matching('/\\\\127\\.0\\.0\\.1\\\\C\\$/')).toEqual(expected((r) => text(r).includes('\\\\127.0.0.1\\c$')));
    expect(matching('process:/^"C:\\\\Windows\\\\explorer\\.exe"/')).toEqual(expected((r) => (r.fields.process ?? '').startsWith('"C:\\Windows\\explorer.exe"')));
    expect(matching('process_name:/^WMI/i')).toEqual(expected((r) => /^wmi/i.test(r.fields.process_name ?? '')));
    expect(matching('process_name:/^WMI/')).toEqual([]);
  });

  it('a word with slashes is text unless it is a whole /regex/ (command-line switches search as written)', () => {
    const has = (needle: string) => expected((r) => text(r).includes(needle));
    expect(parseFilter('cmd.exe /Q')).toMatchObject({ kind: 'and', items: [{ kind: 'text', value: 'cmd.exe' }, { kind: 'text', value: '/Q', column: 9 }] });
    expect(parseFilter('/c whoami /all')).toMatchObject({ kind: 'and', items: [{ value: '/c' }, { value: 'whoami' }, { value: '/all' }] });
    expect(parseFilter('x /abc')).toMatchObject({ kind: 'and', items: [{ value: 'x' }, { kind: 'text', value: '/abc' }] });
    expect(parseFilter('/usr/bin/x')).toMatchObject({ kind: 'text', value: '/usr/bin/x' });
    expect(parseFilter('process:/Q')).toMatchObject({ kind: 'field', field: 'process', value: '/Q' });
    expect(parseFilter('(/wmi/i)')).toMatchObject({ kind: 'textRegex' });
    expect(parseFilter('/a\\/b/')).toMatchObject({ kind: 'textRegex' });
    expect(parseFilter('/x/ OR /y/')).toMatchObject({ kind: 'or', items: [{ kind: 'textRegex' }, { kind: 'textRegex' }] });
    expect(parseFilter('process_name:/^WMI/i')).toMatchObject({ kind: 'fieldRegex' });
    expect(matching('/c')).toEqual(has('/c'));
    expect(matching('/c').length).toBeGreaterThan(0);
    // A `|` inside a word is text.
    expect(parseFilter('a|b')).toMatchObject({ kind: 'text', value: 'a|b' });
    expect(parseFilter('"|"')).toMatchObject({ kind: 'text', value: '|' });
  });

  it('AND / OR / NOT precedence and parentheses', () => {
    const a = (r: IngestRecord): boolean => lc(r.fields.process_name) === 'cmd.exe';
    const b = (r: IngestRecord): boolean => r.fields.dest === 'DC01.corp.local';
    const c = (r: IngestRecord): boolean => r.fields.process_integrity_level === 'High';
    expect(matching('process_name:cmd.exe OR dest:DC01.corp.local process_integrity_level:high')).toEqual(expected((r) => a(r) || (b(r) && c(r))));
    expect(matching('(process_name:cmd.exe OR dest:DC01.corp.local) AND process_integrity_level:high')).toEqual(expected((r) => (a(r) || b(r)) && c(r)));
    expect(matching('NOT process_name:cmd.exe dest:DC01.corp.local')).toEqual(expected((r) => !a(r) && b(r)));
    expect(matching('NOT (process_name:cmd.exe OR dest:DC01.corp.local)')).toEqual(expected((r) => !(a(r) || b(r))));
    expect(matching('')).toHaveLength(recs.length);
  });

  it('time ranges (ISO, offsets, epoch ms)', () => {
    const mid = recs[200]!.timeMs;
    const iso = new Date(Math.floor(mid)).toISOString();
    expect(matching(`time>=${iso}`)).toEqual(expected((r) => r.timeMs >= Math.floor(mid)));
    expect(matching(`time<${iso} dest:WS01.corp.local`)).toEqual(expected((r) => r.timeMs < Math.floor(mid) && r.fields.dest === 'WS01.corp.local'));
    const local = new Date(Math.floor(mid) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect(matching(`_time>=${local}`)).toEqual(matching(`time>=${Math.floor(mid)}`));
    const f = compileFilter(`time>=${iso} time<2024-05-01T09:00:00`);
    expect(f.startMs).toBe(Math.floor(mid));
    expect(f.endMs).toBe(Date.UTC(2024, 4, 1, 9));
  });

  it('drive letters and clock times are free text; field names may be in any script', () => {
    expect(parseFilter('C:\\Windows\\Temp')).toMatchObject({ kind: 'text', value: 'C:\\Windows\\Temp' });
    expect(parseFilter('08:00:17')).toMatchObject({ kind: 'text', value: '08:00:17' });
    expect(parseFilter('Benutzer:zoë')).toMatchObject({ kind: 'field', field: 'Benutzer', value: 'zoë' });
    expect(parseFilter('Überwachung=1')).toMatchObject({ kind: 'field', field: 'Überwachung', value: '1' });
    expect(parseFilter('@timestamp:*')).toMatchObject({ kind: 'field', field: '@timestamp', value: '*' });
  });

  it('evaluates dictionary columns once per distinct value', () => {
    const events = recs.map((r) => toCanonical(r, 0));
    const base = createMemoryView(events);
    let reads = 0;
    const counting: EventView = {
      ...base,
      column(name) {
        const c = base.column(name);
        if (!c?.dict) return c;
        const values = new Proxy(c.dict.values as Array<string | null>, {
          get(target, prop, recv) {
            if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
            return Reflect.get(target, prop, recv) as unknown;
          },
        });
        return { dict: { ids: c.dict.ids, values }, get: c.get };
      },
    };
    const test = compileFilter('process_name:cmd* OR user:corp\\alice').forView(counting);
    let hits = 0;
    for (let r = 0; r < counting.rowCount; r++) if (test(r)) hits++;
    expect(hits).toBe(expected((r) => lc(r.fields.process_name).startsWith('cmd') || r.fields.user === 'CORP\\alice').length);
    const distinct = new Set(recs.map((r) => r.fields.process_name)).size + new Set(recs.map((r) => r.fields.user)).size + 2;
    expect(reads).toBeLessThanOrEqual(distinct);
  });

  it('glob matching has no exponential blow-up on hostile patterns', () => {
    expect(globMatch('*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
    expect(globMatch('a?c*', 'ABCdef')).toBe(true);
  });
});

describe('filter errors carry 1-based columns', () => {
  it.each([
    ['(process_name:cmd.exe OR x', 1, "missing ')'"],
    ['a OR', 5, 'expected a search term'],
    ['a OR ) b', 6, 'needs a search term'],
    ['a ) b', 3, "unmatched ')'"],
    ['user:"abc', 6, 'unterminated quoted string'],
    ['EventCode:1 | stats count', 13, "pipes ('|') are not supported"],
    ['| where x', 1, "pipes ('|') are not supported"],
    ['time>=yesterday', 7, 'is not a time'],
    ['time>=2024-13-01', 7, 'not a valid date'],
    ['AND x', 1, 'needs a search term'],
    ['()', 1, 'empty parentheses'],
    ['process:/a/g', 12, "unknown regex flag 'g'"],
    ['x process_name: cmd', 16, "missing value after 'process_name:'"],
    ['time>= 2024-05-01', 7, "missing time after 'time>='"],
  ])('%s', (filter, column, message) => {
    const e = errorAt(filter);
    expect(e.column).toBe(column);
    expect(e.message).toContain(message);
  });

  it('refuses hostile regex (nested quantifiers where backtracking is needed) with a located error', () => {
    const e = errorAt('dest:x /(?=(a+)+b)c/');
    expect(e.message).toMatch(/regex refused/);
    expect(e.column).toBeGreaterThanOrEqual(8);
    // Classic nested quantifiers run on the linear-time engine: they answer, they do not hang.
    const f = compileFilter('/(a+)+x/');
    const v = buildStore([{ records: [{ ...recs[0]!, raw: 'a'.repeat(50_000) + '!' }] }]).views[0]!;
    expect(f.forView(v)(0)).toBe(false);
  });
});

describe('unknown field names are reported (issue 21)', () => {
  it('a field no event has is refused at its column with the nearest known name; known ones pass', async () => {
    const { checkFilterFields, nearestField } = await import('../../../engine/query/filter-fields.ts');
    const views = store.views;
    const refuse = (f: string): HopscopeError => {
      try {
        checkFilterFields(parseFilter(f), views);
      } catch (e) {
        return e as HopscopeError;
      }
      throw new Error(`no error for ${f}`);
    };
    // Canonical (even unpopulated), original and synthetic names are known.
    for (const f of ['process_name:cmd.exe', 'IntegrityLevel!=high', 'sourcetype:*', 'registry_path:*', 'NOT (dest:x OR Image:/a/)']) {
      expect(() => checkFilterFields(parseFilter(f), views), f).not.toThrow();
    }
    const e = refuse('dest:x procces_name:cmd.exe');
    expect(e.code).toBe('E_USAGE');
    expect(e.location?.column).toBe(8);
    expect(e.message).toContain("unknown field 'procces_name'");
    expect(e.message).toContain("did you mean 'process_name'");
    expect(refuse('NOT Process_Name:x').message).toContain("did you mean 'process_name'");
    expect(refuse('zzzqqq:1').message).toContain('quote the term to search the text');
    // Free text, time and notes are not fields.
    expect(() => checkFilterFields(parseFilter('"zzzqqq:1" time>=2024-01-01 tag:x C:\\Windows'), views)).not.toThrow();
    expect(nearestField('IMAGE', ['Image', 'process'])).toBe('Image');
  });
});
