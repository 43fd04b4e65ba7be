// CrowdStrike Falcon ProcessRollup2 / SyntheticProcessRollup2 (FDR or Event Search, JSON or CSV).
// Invariant: process_path shows a drive path for display; the `\Device\HarddiskVolumeN\...` original stays in
// ImageFileName. Logons, network connections, DNS, tasks, shares, file and registry writes get their kind from
// vendor-kinds.ts; other event_simpleName values are counted as non-process.

import type { DetectSample, Detection, FlatRecord, FormatMapper, MapOutcome } from './types.ts';
import { get, getFirst } from './types.ts';
import { eventOutcome, lookup, put, type Fields } from './common.ts';
import { pickTime } from './time-fields.ts';
import { CROWDSTRIKE_KINDS, vendorKindFields } from './vendor-kinds.ts';

const PROCESS_EVENTS = new Set(['ProcessRollup2', 'SyntheticProcessRollup2']);

/**
 * Kernel device path -> drive path for display. The volume-to-letter map is not in the event, so every
 * HarddiskVolumeN is shown as `C:` (the system volume in nearly all captures); the original is kept.
 */
export function deviceToDrivePath(p: string): string {
  if (p.startsWith('\\??\\')) return p.slice(4);
  const lower = p.slice(0, 32).toLowerCase();
  if (lower.startsWith('\\device\\harddiskvolume')) {
    const next = p.indexOf('\\', 8 + 'HarddiskVolume'.length);
    return next === -1 ? 'C:\\' : 'C:' + p.slice(next);
  }
  if (lower.startsWith('\\systemroot\\')) return 'C:\\Windows' + p.slice('\\SystemRoot'.length);
  return p;
}

const INTEGRITY: Readonly<Record<string, string>> = {
  '0': 'Untrusted', '4096': 'Low', '8192': 'Medium', '8448': 'Medium', '12288': 'High', '16384': 'System', '20480': 'Protected',
};

export const crowdstrikeMapper: FormatMapper = {
  id: 'crowdstrike',
  label: 'CrowdStrike Falcon events',
  detect(sample: DetectSample): Detection {
    if (!sample.names.has('event_simpleName')) return { score: 0, reason: '' };
    const extra = ['ImageFileName', 'CommandLine', 'aid', 'ComputerName', 'ParentBaseFileName'].filter((n) => sample.names.has(n));
    return { score: 90 + extra.length, reason: `key event_simpleName${extra.length ? ' with ' + extra.join(', ') : ''}` };
  },
  map(rec: FlatRecord): MapOutcome {
    const kind = get(rec, 'event_simpleName') ?? '';
    if (!PROCESS_EVENTS.has(kind)) {
      const m = Object.hasOwn(CROWDSTRIKE_KINDS, kind) ? CROWDSTRIKE_KINDS[kind]! : undefined;
      if (!m) return { kind: 'nonProcess', what: `crowdstrike:${kind || '?'}` };
      const f: Fields = {};
      put(f, 'dest', getFirst(rec, ['ComputerName', 'aid']));
      vendorKindFields(m, rec, f);
      f.EventCode = kind;
      const provider = getFirst(rec, ['name', 'event_platform']) ?? 'CrowdStrike Falcon';
      return eventOutcome(rec, pickTime('crowdstrike', (n) => get(rec, n)), 'crowdstrike', provider, f, undefined, m.kind);
    }
    const f: Fields = {};
    put(f, 'dest', getFirst(rec, ['ComputerName', 'aid']));
    put(f, 'user', getFirst(rec, ['UserName', 'user_name']));
    put(f, 'process', get(rec, 'CommandLine'));
    const image = get(rec, 'ImageFileName');
    if (image) put(f, 'process_path', deviceToDrivePath(image));
    put(f, 'parent_process_name', get(rec, 'ParentBaseFileName'));
    put(f, 'process_id', get(rec, 'RawProcessId'));
    put(f, 'parent_process_id', getFirst(rec, ['RawParentProcessId', 'ParentProcessId']));
    put(f, 'process_guid', get(rec, 'TargetProcessId'));
    put(f, 'parent_process_guid', get(rec, 'ParentProcessId'));
    put(f, 'original_file_name', get(rec, 'OriginalFilename'));
    const il = get(rec, 'IntegrityLevel');
    if (il) put(f, 'process_integrity_level', lookup(INTEGRITY, il) ?? il);
    put(f, 'process_hash', getFirst(rec, ['SHA256HashData', 'SHA1HashData', 'MD5HashData']));
    const provider = getFirst(rec, ['name', 'event_platform']) ?? 'CrowdStrike Falcon';
    return eventOutcome(rec, pickTime('crowdstrike', (n) => get(rec, n)), 'crowdstrike', provider, f);
  },
};
