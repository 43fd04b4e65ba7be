// Windows event mappers, from event XML (and .evtx), flattened NDJSON (OTRF/Mordor, NXLog), evtx_dump/Chainsaw
// nested JSON, and EvtxECmd CSV. One mapping core, one adapter per layout.
// Invariant: every Windows event becomes an event with a kind: Sysmon 1 and 4688 are process creations, every
// other one gets its kind and CIM fields from windows-kinds.ts (unknown ids: `other`).

import type { DetectSample, Detection, FlatRecord, FormatMapper, MapOutcome } from './types.ts';
import { get, getFirst } from './types.ts';
import { eventOutcome, hexToDecimal, joinDomainUser, lookup, normLogonId, put, type Fields } from './common.ts';
import { csvLine } from './csv-line.ts';
import { pickTime, type TimePick } from './time-fields.ts';
import { sourceOf, winFamily, windowsKind, windowsKindFields, type WinFamily } from './windows-kinds.ts';

/** What the mapping core needs from a Windows event, whatever its layout. */
export interface WinView {
  eventId: string | undefined;
  channel: string | undefined;
  provider: string | undefined;
  computer: string | undefined;
  /** The record's time fields in its family's precedence (time-fields.ts), or one time text. */
  time: string | TimePick | undefined;
  data(name: string): string | undefined;
}

const INTEGRITY_BY_SID: Readonly<Record<string, string>> = {
  'S-1-16-0': 'Untrusted',
  'S-1-16-4096': 'Low',
  'S-1-16-8192': 'Medium',
  'S-1-16-8448': 'Medium',
  'S-1-16-12288': 'High',
  'S-1-16-16384': 'System',
  'S-1-16-20480': 'Protected',
};

function normId(v: string | undefined): string {
  if (v === undefined) return '';
  const t = v.trim();
  // Some exporters write `4688.0` or pad; keep only the integer.
  const dot = t.indexOf('.');
  return dot === -1 ? t : t.slice(0, dot);
}

/** Maps Sysmon EID 1 / Security 4688 as process creations, every other Windows event with its kind. */
export function mapWindowsEvent(rec: FlatRecord, v: WinView, raw?: string): MapOutcome {
  const id = normId(v.eventId);
  const ch = (v.channel ?? '').toLowerCase();
  const pv = (v.provider ?? '').toLowerCase();
  const isSysmon = ch.includes('sysmon') || pv.includes('sysmon');
  const isSecurity = ch === 'security' || pv.includes('security-auditing');
  const unknownChannel = ch === '' && pv === '';
  if (id === '1' && (isSysmon || (unknownChannel && v.data('Image') !== undefined))) {
    const f: Fields = {};
    put(f, 'dest', v.computer);
    put(f, 'user', v.data('User'));
    put(f, 'process', v.data('CommandLine'));
    put(f, 'process_path', v.data('Image'));
    put(f, 'parent_process', v.data('ParentCommandLine'));
    put(f, 'parent_process_path', v.data('ParentImage'));
    put(f, 'process_id', v.data('ProcessId'));
    put(f, 'parent_process_id', v.data('ParentProcessId'));
    put(f, 'process_guid', v.data('ProcessGuid'));
    put(f, 'parent_process_guid', v.data('ParentProcessGuid'));
    put(f, 'original_file_name', v.data('OriginalFileName'));
    put(f, 'process_current_directory', v.data('CurrentDirectory'));
    put(f, 'process_integrity_level', v.data('IntegrityLevel'));
    put(f, 'process_hash', v.data('Hashes'));
    put(f, 'logon_id', normLogonId(v.data('LogonId')));
    f.EventCode = '1';
    return eventOutcome(rec, v.time, 'sysmon', v.provider || 'Microsoft-Windows-Sysmon', f, raw);
  }
  if (id === '4688' && (isSecurity || unknownChannel)) {
    const f: Fields = {};
    put(f, 'dest', v.computer);
    // CIM `user` for 4688 is the account the NEW process runs as: the Target* fields (4688 v2) when they
    // name an account, else the creator (Subject*), which is also the new process's account on v0/v1.
    const targetUser = v.data('TargetUserName');
    const targetSid = v.data('TargetUserSid');
    const hasTarget = !!targetUser && targetUser !== '-' && targetSid !== 'S-1-0-0';
    put(
      f,
      'user',
      hasTarget
        ? joinDomainUser(v.data('TargetDomainName'), targetUser)
        : joinDomainUser(v.data('SubjectDomainName'), v.data('SubjectUserName')),
    );
    put(f, 'process', v.data('CommandLine'));
    put(f, 'process_path', v.data('NewProcessName'));
    put(f, 'parent_process_path', v.data('ParentProcessName'));
    put(f, 'process_id', hexToDecimal(v.data('NewProcessId')));
    put(f, 'parent_process_id', hexToDecimal(v.data('ProcessId')));
    const label = v.data('MandatoryLabel');
    if (label) put(f, 'process_integrity_level', lookup(INTEGRITY_BY_SID, label) ?? label);
    // The new process's session: TargetLogonId whenever Windows wrote one (4688 v2 often pairs it with the NULL SID,
    // e.g. WmiPrvSE's child in the remote caller's network logon), else the creator's.
    const targetLogon = v.data('TargetLogonId');
    const logonId = targetLogon && !/^0x0*$/i.test(targetLogon.trim()) ? targetLogon : v.data('SubjectLogonId');
    put(f, 'logon_id', normLogonId(logonId));
    f.EventCode = '4688';
    return eventOutcome(rec, v.time, 'security-4688', v.provider || 'Microsoft-Windows-Security-Auditing', f, raw);
  }
  let family: WinFamily = winFamily(ch, pv);
  // Flattened exports without Channel or provider: Sysmon events carry UtcTime, Security ones are 46xx-5xxx.
  if (unknownChannel) {
    const n = Number(id);
    if (v.data('UtcTime') !== undefined) family = 'sysmon';
    else if (n >= 4608 && n < 6000) family = 'security';
  }
  const kind = windowsKind(family, id);
  const f: Fields = {};
  put(f, 'dest', v.computer);
  windowsKindFields(family, kind, id, v, f);
  if (id !== '') f.EventCode = id;
  const provider = v.provider || v.channel || undefined;
  return eventOutcome(rec, v.time, sourceOf(family), provider, f, raw, kind);
}

// ---------------------------------------------------------------- event XML

export const windowsXmlMapper: FormatMapper = {
  id: 'windows-xml',
  label: 'Windows event XML (Sysmon / Security)',
  detect(sample: DetectSample): Detection {
    if (sample.container !== 'xml') return { score: 0, reason: '' };
    if (sample.records.length === 0) return { score: 50, reason: 'XML, but no <Event> element was found' };
    return { score: 100, reason: 'XML with <Event> elements (Windows event schema)' };
  },
  map(rec: FlatRecord): MapOutcome {
    return mapWindowsEvent(
      rec,
      {
        eventId: get(rec, 'EventID'),
        channel: get(rec, 'Channel'),
        provider: get(rec, 'Provider_Name'),
        computer: get(rec, 'Computer'),
        time: pickTime('windows-xml', (n) => get(rec, n)),
        data: (n) => get(rec, n),
      },
      rec.text,
    );
  },
};

// ---------------------------------------------------------------- flattened JSON (OTRF / Mordor / NXLog)

const FLAT_PROVIDER = ['SourceName', 'ProviderName', 'Provider_Name', 'Provider'];
const FLAT_COMPUTER = ['Hostname', 'Computer', 'ComputerName', 'computer_name'];

export const windowsFlatMapper: FormatMapper = {
  id: 'windows-flat',
  label: 'Flattened Windows events (Sysmon / Security NDJSON)',
  detect(sample: DetectSample): Detection {
    const k = sample.names;
    if (sample.container === 'xml' || !k.has('EventID')) return { score: 0, reason: '' };
    const host = FLAT_COMPUTER.find((n) => k.has(n));
    const proc = ['Image', 'CommandLine', 'NewProcessName', 'Channel'].filter((n) => k.has(n));
    if (!host && proc.length === 0) return { score: 10, reason: 'key EventID' };
    return {
      score: 60 + proc.length * 5 + (host ? 10 : 0),
      reason: `top-level Windows event keys EventID${proc.length ? ', ' + proc.join(', ') : ''}${host ? ', ' + host : ''}`,
    };
  },
  map(rec: FlatRecord): MapOutcome {
    return mapWindowsEvent(rec, {
      eventId: get(rec, 'EventID'),
      channel: get(rec, 'Channel'),
      provider: getFirst(rec, FLAT_PROVIDER),
      computer: getFirst(rec, FLAT_COMPUTER),
      time: pickTime('windows-flat', (n) => get(rec, n)),
      data: (n) => get(rec, n),
    });
  },
};

// ---------------------------------------------------------------- evtx_dump / Chainsaw nested JSON

/** Finds the prefix before `System.Computer` (`Event.`, `document.data.Event.` ...). */
function evtxPrefix(rec: FlatRecord): string | null {
  for (const n of rec.names) {
    if (n.endsWith('System.Computer') || n.endsWith('System.EventID') || n.endsWith('System.EventID.#text')) {
      const i = n.lastIndexOf('System.');
      return n.slice(0, i);
    }
  }
  return null;
}

export const evtxJsonMapper: FormatMapper = {
  id: 'evtx-json',
  label: 'evtx_dump / Chainsaw JSON (Event.System, Event.EventData)',
  detect(sample: DetectSample): Detection {
    let sys = false;
    let data = false;
    for (const n of sample.names) {
      if (n.includes('System.EventID') || n.includes('System.Computer')) sys = true;
      if (n.includes('EventData.') || n.includes('UserData.')) data = true;
    }
    if (!sys) return { score: 0, reason: '' };
    return { score: data ? 95 : 80, reason: `nested keys Event.System${data ? ' and Event.EventData' : ''}` };
  },
  map(rec: FlatRecord): MapOutcome {
    const p = evtxPrefix(rec);
    if (p === null) return { kind: 'reject', code: 'no-system', reason: 'record has no Event.System section' };
    const sys = p + 'System.';
    const dataPrefix = p + 'EventData.';
    return mapWindowsEvent(rec, {
      eventId: getFirst(rec, [sys + 'EventID', sys + 'EventID.#text']),
      channel: get(rec, sys + 'Channel'),
      provider: getFirst(rec, [sys + 'Provider.#attributes.Name', sys + 'Provider_attributes.Name', sys + 'Provider.Name']),
      computer: get(rec, sys + 'Computer'),
      time: pickTime('evtx-json', (n) => get(rec, p + n), (n) => get(rec, dataPrefix + n)),
      data: (n) => get(rec, dataPrefix + n),
    });
  },
};

// ---------------------------------------------------------------- EvtxECmd CSV

/** Reads EvtxECmd's `Payload` column: {"EventData":{"Data":[{"@Name":"Image","#text":"..."}]}}. */
export function parseEvtxecmdPayload(payload: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!payload) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return out;
  }
  const ed = (parsed as { EventData?: { Data?: unknown } } | null)?.EventData?.Data;
  const items = Array.isArray(ed) ? ed : ed !== undefined ? [ed] : [];
  for (const it of items) {
    if (it === null || typeof it !== 'object') continue;
    const o = it as Record<string, unknown>;
    const name = o['@Name'];
    if (typeof name !== 'string') continue;
    const text = o['#text'];
    out.set(name, text === undefined || text === null ? '' : typeof text === 'string' ? text : String(text));
  }
  return out;
}

export const evtxecmdMapper: FormatMapper = {
  id: 'evtxecmd',
  label: 'EvtxECmd CSV (KAPE)',
  detect(sample: DetectSample): Detection {
    const k = sample.names;
    const hits = ['TimeCreated', 'EventId', 'Provider', 'Computer', 'ExecutableInfo', 'Payload', 'PayloadData1'].filter((n) => k.has(n));
    if (!k.has('EventId') || !k.has('Payload') || hits.length < 5) return { score: 0, reason: '' };
    return { score: 90, reason: `EvtxECmd columns ${hits.join(', ')}` };
  },
  map(rec: FlatRecord): MapOutcome {
    const payload = parseEvtxecmdPayload(get(rec, 'Payload'));
    let target = rec;
    let raw: string | undefined;
    if (payload.size) {
      // The row's own CSV line, since the added Payload fields mean it can no longer be rebuilt from them.
      raw = csvLine(rec.values);
      // Payload data becomes addressable original fields (Image, CommandLine ...) for rules and display.
      const names = rec.names.slice();
      const values = rec.values.slice();
      const index = new Map(rec.index);
      for (const [n, v] of payload) {
        if (index.has(n)) continue;
        index.set(n, names.length);
        names.push(n);
        values.push(v);
      }
      target = { ...rec, names, values, index };
    }
    return mapWindowsEvent(target, {
      eventId: get(rec, 'EventId'),
      channel: get(rec, 'Channel'),
      provider: get(rec, 'Provider'),
      computer: get(rec, 'Computer'),
      time: pickTime('evtxecmd', (n) => get(target, n), (n) => payload.get(n)),
      data: (n) => payload.get(n),
    }, raw);
  },
};
