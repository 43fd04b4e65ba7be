// `kind:` in the table filter: the store's event kind, on real-shaped Windows records of several kinds.
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';
import { compileFilter } from '../../../engine/query/filter.ts';
import { createIngestor } from '../../../engine/ingest/ingestor.ts';
import { SegmentBuilder } from '../../../engine/store/builder.ts';
import { EventStore } from '../../../engine/store/store.ts';
import { HopscopeError } from '../../../engine/model/errors.ts';

const NS = 'http://schemas.microsoft.com/win/2004/08/events/event';
const ev = (channel: string, id: number, data: string, t: number) =>
  `<Event xmlns="${NS}"><System><Provider Name="p"/><EventID>${id}</EventID><TimeCreated SystemTime="2024-05-01T08:00:0${t}.000Z"/><Channel>${channel}</Channel><Computer>SRV-FILE-01</Computer></System><EventData>${data}</EventData></Event>`;
const XML = `<Events>${[
  ev('Microsoft-Windows-Sysmon/Operational', 1, '<Data Name="Image">C:\\Windows\\System32\\cmd.exe</Data><Data Name="CommandLine">cmd /c whoami</Data>', 1),
  ev('Security', 4624, '<Data Name="TargetUserName">admin</Data><Data Name="LogonType">3</Data><Data Name="IpAddress">10.0.0.12</Data>', 2),
  ev('Security', 5145, '<Data Name="ShareName">\\\\*\\IPC$</Data><Data Name="RelativeTargetName">svcctl</Data>', 3),
  ev('Security', 4625, '<Data Name="TargetUserName">admin</Data><Data Name="LogonType">3</Data>', 4),
].join('')}</Events>`;

function store(): EventStore {
  expect(ingestText(XML).events.map((e) => e.kind)).toEqual(['process_creation', 'logon', 'share_access', 'logon_failed']);
  // The same records through the columnar store, as the app writes them.
  const b = new SegmentBuilder({ evidence: 0, evidenceName: 'x.xml' });
  const ing = createIngestor({ evidence: 0, sink: b });
  ing.push(XML);
  ing.end();
  return new EventStore([b.finish()]);
}

function rows(s: EventStore, filter: string): number[] {
  const f = compileFilter(filter);
  const out: number[] = [];
  for (const v of s.views) {
    const test = f.forView(v);
    for (let r = 0; r < v.rowCount; r++) if (test(r)) out.push(v.base + r);
  }
  return out;
}

describe('kind: in the filter', () => {
  const s = store();
  it('selects one kind, excludes one, takes globs, combines with fields', () => {
    expect(rows(s, 'kind:logon')).toEqual([1]);
    expect(rows(s, 'kind=share_access')).toEqual([2]);
    expect(rows(s, 'kind!=process_creation')).toEqual([1, 2, 3]);
    expect(rows(s, 'kind:logon*')).toEqual([1, 3]);
    expect(rows(s, 'kind:logon OR kind:share_access')).toEqual([1, 2]);
    expect(rows(s, 'kind:share_access share_target:svcctl')).toEqual([2]);
    expect(rows(s, 'event_kind:logon_failed')).toEqual([3]);
    expect(s.stats()[0]!.byKind).toEqual({ process_creation: 1, logon: 1, share_access: 1, logon_failed: 1 });
  });
  it('a kind that does not exist is a located usage error naming the kinds', () => {
    let err: unknown;
    try {
      compileFilter('kind:logn');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HopscopeError);
    expect((err as HopscopeError).message).toMatch(/unknown kind 'logn' \(use process_creation, logon, /);
  });
});
