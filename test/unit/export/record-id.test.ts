// Report events carry the Windows EventRecordID (what Event Viewer shows) beside `record` (the ordinal in the file),
// from whichever field the export names it: XML/flattened `EventRecordID`, EvtxECmd `EventRecordId`, evtx_dump
// `Event.System.EventRecordID`, Winlogbeat `winlog.record_id`, `record_id`, NXLog/Splunk `RecordNumber`.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../engine/export/report.ts';
import { findingsToCsv } from '../../../engine/export/csv.ts';
import { buildHtmlReport } from '../../../engine/export/html.ts';
import { windowsRecordId } from '../../../engine/query/record-id.ts';
import { createMemoryView } from '../../../engine/store/memory-view.ts';
import { ev } from '../detect/fixtures.ts';
import { input } from './fixtures.ts';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'dist', 'host', 'cli.js');

describe('windowsRecordId', () => {
  it.each([
    ['EventRecordID', '40001'],
    ['EventRecordId', '40001'],
    ['Event.System.EventRecordID', '40001'],
    ['document.data.Event.System.EventRecordID', '40001'],
    ['winlog.record_id', '40001'],
    ['record_id', '40001'],
    ['RecordNumber', '40001'],
  ])('reads %s', (name, value) => {
    const view = createMemoryView([ev('2024-05-01T08:00:00Z', { dest: 'H' }, { [name]: value })]);
    expect(windowsRecordId(view, 0)).toBe(40001);
  });

  it('prefers EventRecordId to RecordNumber (EvtxECmd has both) and takes only plain decimals', () => {
    const both = createMemoryView([ev('2024-05-01T08:00:00Z', {}, { RecordNumber: '7', EventRecordId: '912' })]);
    expect(windowsRecordId(both, 0)).toBe(912);
    for (const bad of ['', '0x1f', '12a', '-3', '99999999999999999']) {
      expect(windowsRecordId(createMemoryView([ev('2024-05-01T08:00:00Z', {}, { EventRecordID: bad })]), 0)).toBeUndefined();
    }
    expect(windowsRecordId(createMemoryView([ev('2024-05-01T08:00:00Z', { dest: 'H' })]), 0)).toBeUndefined();
  });
});

describe('eventRecordId in reports', () => {
  const withIds = { ...input(), eventRecordId: (e: { record: number }) => (e.record === 12 ? 4711 : undefined) };

  it('JSON events carry it where there is one and leave it out elsewhere', () => {
    const rep = buildReport(withIds);
    const events = rep.findings.flatMap((f) => f.events);
    expect(events.find((e) => e.record === 12)).toMatchObject({ record: 12, eventRecordId: 4711 });
    expect(events.filter((e) => e.record !== 12).every((e) => !('eventRecordId' in e))).toBe(true);
    expect(buildReport(input()).findings.flatMap((f) => f.events).some((e) => 'eventRecordId' in e)).toBe(false);
  });

  it('CSV has event_record_ids in the order of events; HTML shows it beside the record', () => {
    const csv = findingsToCsv(buildReport(withIds));
    const [header, ...rows] = csv.trim().split('\r\n');
    expect(header!.split(',').at(-2)).toBe('event_record_ids');
    // The finding with events z/sysmon.xml#4; a/security.csv#12: empty for the first, 4711 for the second.
    expect(rows.some((r) => r.includes('z/sysmon.xml#4; a/security.csv#12') && r.endsWith(',; 4711,'))).toBe(true);
    const html = buildHtmlReport({ ...withIds, generatedAtMs: 0 });
    expect(html).toContain('record 12 · EventRecordID <span class="mono">4711</span>');
  });

  it('the scan of the bundled Sysmon XML reports each event\'s EventRecordID; the CIM CSV has none', () => {
    const scan = (file: string) => {
      const r = spawnSync(process.execPath, [cli, 'scan', '--format', 'json', join(root, 'resources', 'samples', file)], { encoding: 'utf8', maxBuffer: 64 << 20 });
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as { findings: Array<{ rule_id: string; events: Array<{ record: number; eventRecordId?: number }> }> };
    };
    const xml = scan('corp-lateral-movement.sysmon.xml');
    const psexec = xml.findings.find((f) => f.rule_id === 'psexec-accepteula')!;
    expect(psexec.events[0]!.eventRecordId).toBe(40000 + psexec.events[0]!.record);
    expect(xml.findings.every((f) => f.events.every((e) => Number.isInteger(e.eventRecordId)))).toBe(true);
    const csv = scan('corp-lateral-movement.splunk.csv');
    expect(csv.findings.flatMap((f) => f.events).some((e) => 'eventRecordId' in e)).toBe(false);
  });
});
