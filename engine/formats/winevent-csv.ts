// PowerShell `Get-WinEvent | Export-Csv` (and ConvertTo-Json) output, and Event Viewer's "Save as CSV": event fields
// only in the rendered `Message` text. Invariant: Message labels are mapped to the EventData names the Windows core
// expects, so Sysmon 1 / 4688 map exactly as from XML; the Message and every column stay as original fields.

import type { DetectSample, Detection, FlatRecord, FormatMapper, MapOutcome } from './types.ts';
import { get, getFirst } from './types.ts';
import { mapWindowsEvent } from './windows.ts';
import { lookup } from './common.ts';
import { pickTime } from './time-fields.ts';

/** 4688 message labels -> EventData names; the Subject/Target sections decide the account fields. */
const LABELS_4688: Readonly<Record<string, string>> = {
  'New Process ID': 'NewProcessId',
  'New Process Name': 'NewProcessName',
  'Token Elevation Type': 'TokenElevationType',
  'Mandatory Label': 'MandatoryLabel',
  'Creator Process ID': 'ProcessId',
  'Creator Process Name': 'ParentProcessName',
  'Process Command Line': 'CommandLine',
};
const SECTION_FIELDS: Readonly<Record<string, string>> = {
  'Security ID': 'UserSid',
  'Account Name': 'UserName',
  'Account Domain': 'DomainName',
  'Logon ID': 'LogonId',
};

/** Parses `Key: value` lines (Sysmon) and `Label:\t\tvalue` lines under section headers (Security). */
export function parseEventMessage(message: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  let start = 0;
  while (start <= message.length) {
    let end = message.indexOf('\n', start);
    if (end === -1) end = message.length;
    let line = message.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const label = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).replace(/^[\t ]+/, '');
    if (value === '' && line.charCodeAt(0) !== 9) {
      section = label;
      continue;
    }
    const sectionField = lookup(SECTION_FIELDS, label);
    if (sectionField && (section === 'Creator Subject' || section === 'Subject')) out.set('Subject' + sectionField, value);
    else if (sectionField && section === 'Target Subject') out.set('Target' + sectionField, value);
    else {
      const mapped = lookup(LABELS_4688, label);
      const name = mapped ?? label;
      if (!out.has(name)) out.set(name, value);
    }
  }
  return out;
}

export const wineventCsvMapper: FormatMapper = {
  id: 'winevent-csv',
  label: 'Windows events as CSV (Get-WinEvent, Event Viewer)',
  detect(sample: DetectSample): Detection {
    const k = sample.names;
    if (k.has('Message') && k.has('Event ID') && k.has('Date and Time') && k.has('Source')) {
      return { score: 85, reason: 'Event Viewer "Save as CSV" columns Level, Date and Time, Source, Event ID, Task Category and the message' };
    }
    const hits = ['Id', 'ProviderName', 'MachineName', 'TimeCreated', 'Message', 'LogName', 'RecordId'].filter((n) => k.has(n));
    if (!k.has('Message') || !k.has('Id') || hits.length < 5) return { score: 0, reason: '' };
    return { score: 85, reason: `Get-WinEvent columns ${hits.join(', ')}` };
  },
  map(rec: FlatRecord): MapOutcome {
    const data = parseEventMessage(get(rec, 'Message') ?? '');
    return mapWindowsEvent(rec, {
      eventId: getFirst(rec, ['Id', 'Event ID']),
      channel: get(rec, 'LogName'),
      provider: getFirst(rec, ['ProviderName', 'Source']),
      // Event Viewer's CSV names no computer: such events go to the unknown-host lane.
      computer: getFirst(rec, ['MachineName', 'Computer']),
      // Export-Csv and Event Viewer write the time in the exporting machine's local time without a zone (read as
      // UTC, and the UI says so); Sysmon's own UtcTime in the Message is explicit UTC, so it wins when present.
      time: pickTime('winevent-csv', (n) => get(rec, n), (n) => data.get(n)),
      data: (n) => data.get(n),
    });
  },
};
