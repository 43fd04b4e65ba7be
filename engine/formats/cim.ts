// Splunk export (CSV or JSON) of Endpoint.Processes (already CIM names, optionally `Processes.` prefixed) or of
// raw Windows events (`_raw` XML, or EventCode + Sysmon field extractions). Invariant: `_raw`, when present, is
// the event's text; `dest` wins over `host` (host is often the forwarder/collector).

import type { DetectSample, Detection, FlatRecord, FormatMapper, MapOutcome } from '../ingest/types.ts';
import { get, getFirst, indexOfNames } from '../ingest/types.ts';
import { CANONICAL_FIELDS } from '../model/fields.ts';
import { eventOutcome, put, type Fields } from './common.ts';
import { mapWindowsEvent } from './windows.ts';
import { flattenWindowsEvent, parseXmlElement, XmlError } from '../ingest/xml-parse.ts';

const CIM_SIGNAL = ['process', 'process_name', 'process_path', 'parent_process', 'parent_process_name', 'parent_process_path', 'dest'];

function hasProcessFields(rec: FlatRecord, prefix: string): boolean {
  return (
    getFirst(rec, [prefix + 'process', prefix + 'process_name', prefix + 'process_path', prefix + 'parent_process_name']) !== undefined
  );
}

export const cimMapper: FormatMapper = {
  id: 'splunk-cim',
  label: 'Splunk export (CIM Endpoint.Processes)',
  detect(sample: DetectSample): Detection {
    const k = sample.names;
    const prefix = k.has('Processes.process') || k.has('Processes.process_name') ? 'Processes.' : '';
    const cim = CIM_SIGNAL.filter((n) => k.has(prefix + n));
    const splunk = ['_time', '_raw', 'host', 'sourcetype', 'source'].filter((n) => k.has(n));
    if (cim.length >= 2) {
      return { score: 50 + cim.length * 5 + splunk.length * 3, reason: `CIM columns ${cim.map((c) => prefix + c).join(', ')}` };
    }
    if (k.has('_time') && (k.has('_raw') || k.has('sourcetype'))) {
      return { score: 45, reason: `Splunk columns ${splunk.join(', ')}` };
    }
    return { score: 0, reason: '' };
  },
  map(rec: FlatRecord): MapOutcome {
    const prefix = rec.index.has('Processes.process') || rec.index.has('Processes.process_name') ? 'Processes.' : '';
    const raw = get(rec, '_raw');
    const time = getFirst(rec, ['_time', prefix + '_time', 'timestamp']);
    const provider = getFirst(rec, ['sourcetype', 'source']);
    if (hasProcessFields(rec, prefix)) {
      const f: Fields = {};
      for (const name of CANONICAL_FIELDS) put(f, name, get(rec, prefix + name));
      if (!f.dest) put(f, 'dest', getFirst(rec, ['host', 'Computer', 'ComputerName']));
      return eventOutcome(rec, time, 'cim', provider, f, raw || undefined);
    }
    if (raw && raw.trimStart().startsWith('<Event')) return mapRawXml(rec, raw, time);
    if (rec.index.has('EventCode') || rec.index.has('EventID')) {
      const out = mapWindowsEvent(rec, {
        eventId: getFirst(rec, ['EventCode', 'EventID']),
        channel: getFirst(rec, ['Channel', 'LogName']),
        provider: getFirst(rec, ['SourceName', 'Provider_Name', 'sourcetype']),
        computer: getFirst(rec, ['Computer', 'ComputerName', 'dest', 'host']),
        time,
        data: (n) => get(rec, n),
      }, raw || undefined);
      return out;
    }
    return { kind: 'nonProcess', what: 'splunk:no-process-fields' };
  },
};

/** A Splunk row whose `_raw` is the Windows event XML: the XML fields join the row's columns. */
function mapRawXml(rec: FlatRecord, raw: string, time: string | undefined): MapOutcome {
  let root;
  try {
    root = parseXmlElement(raw);
  } catch (err) {
    if (err instanceof XmlError) return { kind: 'reject', code: err.reasonCode, reason: err.message };
    throw err;
  }
  const names = rec.names.slice();
  const values = rec.values.slice();
  const xn: string[] = [];
  const xv: string[] = [];
  flattenWindowsEvent(root, xn, xv);
  for (let i = 0; i < xn.length; i++) {
    if (names.includes(xn[i]!)) continue;
    names.push(xn[i]!);
    values.push(xv[i]);
  }
  const merged: FlatRecord = { ...rec, names, values, index: indexOfNames(names) };
  return mapWindowsEvent(
    merged,
    {
      eventId: get(merged, 'EventID'),
      channel: get(merged, 'Channel'),
      provider: get(merged, 'Provider_Name'),
      computer: get(merged, 'Computer') ?? get(merged, 'host'),
      time: get(merged, 'TimeCreated_SystemTime') ?? time,
      data: (n) => get(merged, n),
    },
    raw,
  );
}
