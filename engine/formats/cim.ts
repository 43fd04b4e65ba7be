// Splunk export (CSV or JSON) of Endpoint.Processes (already CIM names, optionally `Processes.` prefixed) or of
// raw Windows events (`_raw` XML, or EventCode + Sysmon field extractions). Invariant: `_raw`, when present, is
// the event's text; `dest` wins over `host` (host is often the forwarder/collector).

import type { DetectSample, Detection, FlatRecord, FormatMapper, MapOutcome } from './types.ts';
import { get, getFirst, indexOfNames } from './types.ts';
import { CANONICAL_FIELDS, type CanonicalField } from '../model/fields.ts';
import { eventOutcome, type Fields } from './common.ts';
import { pickTime } from './time-fields.ts';
import { mapWindowsEvent } from './windows.ts';
import { flattenWindowsEvent, parseXmlElement, XmlError } from '../xml/parse.ts';

const CIM_SIGNAL = ['process', 'process_name', 'process_path', 'parent_process', 'parent_process_name', 'parent_process_path', 'dest'];

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
    const plan = planFor(rec.index);
    const values = rec.values;
    const raw = plan.raw >= 0 ? values[plan.raw] : undefined;
    const time = plan.time >= 0 ? values[plan.time] : undefined;
    const provider = plan.provider >= 0 ? values[plan.provider] : undefined;
    if (plan.hasProcessColumns && anyValue(values, plan.process)) {
      const f: Fields = {};
      for (let k = 0; k < plan.cols.length; k++) {
        const v = values[plan.cols[k]!];
        if (v) f[plan.fields[k]!] = v;
      }
      if (!f.dest) {
        for (const i of plan.host) {
          const v = values[i];
          if (v) {
            f.dest = v;
            break;
          }
        }
      }
      return eventOutcome(rec, pickTime('splunk', (n) => (n === '_time' ? time : get(rec, n))), 'cim', provider || undefined, f, raw || undefined);
    }
    if (raw && raw.trimStart().startsWith('<Event')) return mapRawXml(rec, raw, time);
    if (rec.index.has('EventCode') || rec.index.has('EventID')) {
      return withCimColumns(rec, mapWindowsEvent(rec, {
        eventId: getFirst(rec, ['EventCode', 'EventID']),
        channel: getFirst(rec, ['Channel', 'LogName']),
        provider: getFirst(rec, ['SourceName', 'Provider_Name', 'sourcetype']),
        computer: getFirst(rec, ['Computer', 'ComputerName', 'dest', 'host']),
        time: pickTime('splunk', (n) => (n === '_time' ? time : get(rec, n))),
        // Splunk's Windows add-on names a classic (non-XML) event's fields its own way: read those too.
        data: (n) => get(rec, n) ?? (Object.hasOwn(SPLUNK_TA_NAMES, n) ? getFirst(rec, SPLUNK_TA_NAMES[n]!) : undefined),
      }, raw || undefined));
    }
    return { kind: 'nonProcess', what: 'splunk:no-process-fields' };
  },
};

/** CIM fields Splunk's add-on already extracted (user, src_ip, src ...) fill what the event's own data did not name. */
const CIM_FILL = ['user', 'src_ip', 'src', 'src_user', 'src_port', 'dest_host', 'logon_type', 'action'] as const;
function withCimColumns(rec: FlatRecord, out: MapOutcome): MapOutcome {
  if (out.kind !== 'event') return out;
  const f = out.rec.fields as Record<string, string | undefined>;
  for (const n of CIM_FILL) {
    if (f[n]) continue;
    const v = get(rec, n);
    if (v && v !== '-') f[n] = v;
  }
  return out;
}

/**
 * Event-data names -> the names Splunk_TA_windows extracts from classic WinEventLog events (only the unambiguous
 * ones: a 4624's two `Account_Name`s and `Logon_ID`s are not guessed apart), as data so a mapping is one line.
 */
const SPLUNK_TA_NAMES: Readonly<Record<string, readonly string[]>> = {
  LogonType: ['Logon_Type'],
  IpAddress: ['Source_Network_Address'],
  IpPort: ['Source_Port'],
  WorkstationName: ['Workstation_Name'],
  LogonProcessName: ['Logon_Process'],
  AuthenticationPackageName: ['Authentication_Package'],
  ShareName: ['Share_Name'],
  ShareLocalPath: ['Share_Path'],
  RelativeTargetName: ['Relative_Target_Name'],
  ServiceName: ['Service_Name'],
  ImagePath: ['Service_File_Name', 'Image_Path'],
  ServiceFileName: ['Service_File_Name'],
  ServiceType: ['Service_Type'],
  StartType: ['Service_Start_Type'],
  ServiceStartType: ['Service_Start_Type'],
  AccountName: ['Service_Account'],
  TaskName: ['Task_Name'],
  ProcessName: ['Process_Name'],
  TargetServerName: ['Target_Server_Name'],
  NewProcessName: ['New_Process_Name'],
  CommandLine: ['Process_Command_Line'],
  ParentProcessName: ['Creator_Process_Name'],
};

/** Column positions resolved once per header (CSV shares one index for the whole file). */
interface CimPlan {
  fields: CanonicalField[];
  cols: number[];
  process: number[];
  hasProcessColumns: boolean;
  host: number[];
  time: number;
  raw: number;
  provider: number;
}

const plans = new WeakMap<ReadonlyMap<string, number>, CimPlan>();
/** A CSV file shares one index for all its rows: remember the last one instead of a WeakMap lookup per row. */
let lastIndex: ReadonlyMap<string, number> | null = null;
let lastPlan: CimPlan | null = null;

function anyValue(values: ReadonlyArray<string | undefined>, at: readonly number[]): boolean {
  for (let k = 0; k < at.length; k++) if (values[at[k]!]) return true;
  return false;
}

function planFor(index: ReadonlyMap<string, number>): CimPlan {
  if (index === lastIndex) return lastPlan!;
  let plan = plans.get(index);
  if (plan) {
    lastIndex = index;
    lastPlan = plan;
    return plan;
  }
  const prefix = index.has('Processes.process') || index.has('Processes.process_name') ? 'Processes.' : '';
  const at = (n: string): number => index.get(n) ?? -1;
  const fields: CanonicalField[] = [];
  const cols: number[] = [];
  for (const name of CANONICAL_FIELDS) {
    const i = at(prefix + name);
    if (i >= 0) {
      fields.push(name);
      cols.push(i);
    }
  }
  const process = ['process', 'process_name', 'process_path', 'parent_process_name'].map((n) => at(prefix + n)).filter((i) => i >= 0);
  const firstOf = (names: string[]): number => {
    for (const n of names) if (index.has(n)) return index.get(n)!;
    return -1;
  };
  plan = {
    fields, cols, process, hasProcessColumns: process.length > 0,
    host: ['host', 'Computer', 'ComputerName'].map(at).filter((i) => i >= 0),
    time: firstOf(['_time', prefix + '_time', 'timestamp']),
    raw: at('_raw'),
    provider: firstOf(['sourcetype', 'source']),
  };
  plans.set(index, plan);
  lastIndex = index;
  lastPlan = plan;
  return plan;
}

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
      time: pickTime('splunk', (n) => (n === '_time' ? time : get(merged, n))),
      data: (n) => get(merged, n),
    },
    raw,
  );
}
