// Microsoft Defender for Endpoint Advanced Hunting (CSV/JSON): DeviceProcessEvents, and the logon, network, file,
// registry, image-load and DeviceEvents rows whose ActionType vendor-kinds.ts names (other ActionTypes: non-process).
// Invariant: the process row's own account (AccountDomain\AccountName) is `user`; the initiating process is the parent.

import type { DetectSample, Detection, FlatRecord, FormatMapper, MapOutcome } from './types.ts';
import { get, getFirst } from './types.ts';
import { basename, eventOutcome, joinDomainUser, put, type Fields } from './common.ts';
import { pickTime } from './time-fields.ts';
import { additionalFields, DEFENDER_KINDS, vendorKindFields } from './vendor-kinds.ts';

/** FolderPath is the full image path in practice, but only the folder in some exports: join when needed. */
function fullPath(folder: string | undefined, file: string | undefined): string | undefined {
  if (!folder) return undefined;
  if (!file || basename(folder).toLowerCase() === file.toLowerCase()) return folder;
  return folder.endsWith('\\') ? folder + file : folder + '\\' + file;
}

export const defenderMapper: FormatMapper = {
  id: 'defender',
  label: 'Microsoft Defender DeviceProcessEvents',
  detect(sample: DetectSample): Detection {
    const k = sample.names;
    const hits = ['DeviceName', 'ProcessCommandLine', 'InitiatingProcessFileName', 'FolderPath', 'ActionType', 'DeviceId'].filter((n) => k.has(n));
    if (!k.has('DeviceName') || hits.length < 3) return { score: 0, reason: '' };
    return { score: 80 + hits.length, reason: `Advanced Hunting columns ${hits.join(', ')}` };
  },
  map(rec: FlatRecord): MapOutcome {
    const action = get(rec, 'ActionType');
    if (action && action !== 'ProcessCreated') {
      const m = Object.hasOwn(DEFENDER_KINDS, action) ? DEFENDER_KINDS[action]! : undefined;
      if (!m) return { kind: 'nonProcess', what: `defender:${action}` };
      const f: Fields = {};
      put(f, 'dest', get(rec, 'DeviceName'));
      vendorKindFields(m, rec, f, additionalFields(get(rec, 'AdditionalFields')));
      f.EventCode = action;
      return eventOutcome(rec, pickTime('defender', (n) => get(rec, n)), 'defender', 'Microsoft Defender for Endpoint', f, undefined, m.kind);
    }
    if (!rec.index.has('ProcessCommandLine') && !rec.index.has('FileName')) return { kind: 'nonProcess', what: 'defender:no-process' };
    const f: Fields = {};
    const file = get(rec, 'FileName');
    const parentFile = get(rec, 'InitiatingProcessFileName');
    put(f, 'dest', get(rec, 'DeviceName'));
    put(f, 'user', joinDomainUser(get(rec, 'AccountDomain'), get(rec, 'AccountName')));
    put(f, 'process', get(rec, 'ProcessCommandLine'));
    put(f, 'process_name', file);
    put(f, 'process_path', fullPath(get(rec, 'FolderPath'), file));
    put(f, 'parent_process', get(rec, 'InitiatingProcessCommandLine'));
    put(f, 'parent_process_name', parentFile);
    put(f, 'parent_process_path', fullPath(get(rec, 'InitiatingProcessFolderPath'), parentFile));
    put(f, 'process_id', get(rec, 'ProcessId'));
    put(f, 'parent_process_id', get(rec, 'InitiatingProcessId'));
    put(f, 'original_file_name', get(rec, 'ProcessVersionInfoOriginalFileName'));
    put(f, 'process_integrity_level', get(rec, 'ProcessIntegrityLevel'));
    put(f, 'process_hash', getFirst(rec, ['SHA256', 'SHA1', 'MD5']));
    return eventOutcome(rec, pickTime('defender', (n) => get(rec, n)), 'defender', 'Microsoft Defender for Endpoint', f);
  },
};
