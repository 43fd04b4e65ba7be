// Per-column filters of the table (Timeline Explorer's filter row): literal, any-case containment per column, ANDed
// with the filter; hostile text (quotes, backslashes, globs, regex and filter syntax, 10,000 characters) is only text.

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../engine/detect/types.ts';
import { columnFiltersKey } from '../../../engine/query/column-filters.ts';
import { rows } from '../../../engine/query/rows.ts';
import type { ColumnFilter, RowsRequest } from '../../../engine/rpc/api.ts';
import { validateRequest } from '../../../engine/rpc/validate.ts';
import { buildStore, sysmonRecords } from '../store/gen-events.ts';

const HOSTILE = [
  'cmd.exe /c "echo a\\"b" && whoami',
  'C:\\Temp\\x*y?.exe',
  'powershell -enc (AAAA) OR NOT x:y',
  '/regex/i field:"v" | stats count',
];
const recs = sysmonRecords({ count: 400, seed: 21, order: 'shuffled' });
HOSTILE.forEach((cmd, i) => {
  recs[i * 7]!.fields.process = cmd;
});
// Two segments: the predicate crosses views.
const store = buildStore([{ records: recs.slice(0, 250) }, { records: recs.slice(250) }]);

function matched(columnFilters: ColumnFilter[], extra: Partial<RowsRequest> = {}, ctx = {}): { total: number; error?: string } {
  const r = rows(store, { offset: 0, limit: 0, columnFilters, ...extra }, ctx);
  return { total: r.total, ...(r.filterError ? { error: r.filterError.message } : {}) };
}

const ok = (channel: string, payload: unknown): boolean => validateRequest(channel, payload).ok;

const expected = (pred: (fields: Record<string, string | undefined>) => boolean): number =>
  recs.filter((r) => pred(r.fields as Record<string, string | undefined>)).length;

describe('column filters', () => {
  it('a column contains the text, any case, and filters AND with each other and the filter', () => {
    const host = recs[3]!.fields.dest!;
    const part = host.slice(1, 4).toUpperCase();
    expect(matched([{ field: 'dest', text: part }]).total).toBe(expected((f) => (f.dest ?? '').toLowerCase().includes(part.toLowerCase())));
    const both = expected((f) => (f.dest ?? '').toLowerCase().includes(part.toLowerCase()) && (f.process_name ?? '').toLowerCase().includes('e'));
    expect(matched([{ field: 'dest', text: part }, { field: 'process_name', text: 'E' }]).total).toBe(both);
    const withFilter = expected((f) => (f.dest ?? '').toLowerCase().includes(part.toLowerCase()) && (f.process_name ?? '').toLowerCase() === 'cmd.exe');
    expect(matched([{ field: 'dest', text: part }], { filter: 'process_name:cmd.exe' }).total).toBe(withFilter);
    expect(withFilter).toBeLessThan(matched([{ field: 'dest', text: part }]).total);
  });

  it('an empty text is no test; an unknown column and an absent value match nothing', () => {
    expect(matched([{ field: 'dest', text: '' }]).total).toBe(recs.length);
    expect(matched([{ field: 'no_such_field', text: 'a' }]).total).toBe(0);
  });

  it.each(HOSTILE)('hostile text %j is found literally, exactly where it is', (text) => {
    const r = matched([{ field: 'process', text }]);
    expect(r.error).toBeUndefined();
    expect(r.total).toBe(expected((f) => (f.process ?? '').toLowerCase().includes(text.toLowerCase())));
    expect(r.total).toBeGreaterThanOrEqual(1);
  });

  it('globs, quotes and backslashes are characters, not syntax', () => {
    // `*` matches a literal star only: one command line holds one.
    expect(matched([{ field: 'process', text: '*' }]).total).toBe(expected((f) => (f.process ?? '').includes('*')));
    expect(matched([{ field: 'process', text: 'x*y' }]).total).toBe(1);
    expect(matched([{ field: 'process', text: 'x?y' }]).total).toBe(0);
    expect(matched([{ field: 'process', text: '"' }]).total).toBe(expected((f) => (f.process ?? '').includes('"')));
    expect(matched([{ field: 'process', text: '\\"' }]).total).toBe(1);
    expect(matched([{ field: 'process', text: '\\' }]).total).toBe(expected((f) => (f.process ?? '').includes('\\')));
    expect(matched([{ field: 'process', text: '.*' }]).total).toBe(0);
  });

  it('10,000 characters neither break the query nor match', () => {
    const long = 'a'.repeat(10_000);
    expect(matched([{ field: 'process', text: long }])).toEqual({ total: 0 });
    // The API refuses it before it reaches the engine (bounded like the filter).
    expect(ok('query.rows', { offset: 0, limit: 10, columnFilters: [{ field: 'process', text: long }] })).toBe(false);
    expect(ok('query.rows', { offset: 0, limit: 10, columnFilters: [{ field: 'process', text: 'x' }] })).toBe(true);
    expect(ok('query.rows', { offset: 0, limit: 10, columnFilters: [{ field: 'process', text: 'x', extra: 1 }] })).toBe(false);
    expect(ok('query.rows', { offset: 0, limit: 10, columnFilters: Array.from({ length: 33 }, () => ({ field: 'process', text: 'x' })) })).toBe(false);
    expect(ok('case.exportEvents', { scope: { columnFilters: [{ field: 'dest', text: 'x' }] }, columns: ['dest'] })).toBe(true);
  });

  it('the time and rules columns filter on what the table shows', () => {
    const iso = new Date(recs[0]!.timeMs).toISOString().slice(0, 16);
    expect(matched([{ field: '_time', text: iso }]).total).toBe(recs.filter((r) => new Date(r.timeMs).toISOString().startsWith(iso)).length);
    const finding = { id: 'f1', ruleId: 'psexec_like', events: [{ row: 2 }, { row: 5 }] } as unknown as Finding;
    expect(matched([{ field: '_rules', text: 'PSEXEC' }], {}, { findings: [finding] }).total).toBe(2);
    expect(matched([{ field: '_rules', text: 'psexec' }]).total).toBe(0);
  });

  it('cached answers are per column filter', () => {
    expect(columnFiltersKey([{ field: 'a', text: '' }])).toBeNull();
    expect(columnFiltersKey([{ field: 'a', text: 'x' }])).not.toBe(columnFiltersKey([{ field: 'a', text: 'y' }]));
    for (const text of ['cmd', 'xe', 'zzz']) expect(matched([{ field: 'process_name', text }]).total).toBe(expected((f) => (f.process_name ?? '').toLowerCase().includes(text)));
  });
});
