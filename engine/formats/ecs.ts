// Elastic ECS / Winlogbeat NDJSON: nested process.*, host.name, user.*, event.code (flattened to dotted names).
// Process starts (event.type start / Sysmon 1 / 4688) map here; other rows of a Windows channel map as that Windows
// event (windows.ts), Elastic Endpoint rows by event.category (vendor-kinds.ts); the rest is non-process.

import type { DetectSample, Detection, FlatRecord, FormatMapper, MapOutcome } from './types.ts';
import { get, getFirst } from './types.ts';
import { eventOutcome, joinDomainUser, put, type Fields } from './common.ts';
import { pickTime } from './time-fields.ts';
import { mapWindowsEvent, type WinView } from './windows.ts';
import { ECS_CATEGORY_KINDS, vendorKindFields } from './vendor-kinds.ts';

function windowsView(rec: FlatRecord): WinView {
  return {
    eventId: getFirst(rec, ['winlog.event_id', 'event_id', 'event.code']),
    channel: getFirst(rec, ['winlog.channel', 'log_name']),
    provider: getFirst(rec, ['winlog.provider_name', 'source_name', 'event.provider']),
    computer: getFirst(rec, ['winlog.computer_name', 'computer_name', 'host.name', 'host.hostname']),
    time: pickTime('ecs-windows', (n) => get(rec, n), (n) => getFirst(rec, ['winlog.event_data.' + n, 'event_data.' + n])),
    data: (n: string) => getFirst(rec, ['winlog.event_data.' + n, 'event_data.' + n]),
  };
}

function isProcessStart(rec: FlatRecord): boolean {
  const code = get(rec, 'event.code') ?? get(rec, 'winlog.event_id');
  const provider = (get(rec, 'winlog.provider_name') ?? get(rec, 'event.provider') ?? get(rec, 'winlog.channel') ?? '').toLowerCase();
  if (code === '4688') return true;
  if (code === '1' && (provider.includes('sysmon') || provider === '')) return true;
  if (code !== undefined && code !== '' && provider !== '') return false;
  const category = get(rec, 'event.category') ?? '';
  const type = get(rec, 'event.type') ?? '';
  const action = (get(rec, 'event.action') ?? '').toLowerCase();
  if (category.includes('process') && type.includes('start')) return true;
  return action === 'process-created' || action === 'created-process' || action === 'start' || action === 'exec';
}

export const ecsMapper: FormatMapper = {
  id: 'ecs',
  label: 'Elastic ECS / Winlogbeat',
  detect(sample: DetectSample): Detection {
    const k = sample.names;
    const proc = ['process.command_line', 'process.executable', 'process.name', 'process.parent.name', 'process.pid'].filter((n) => k.has(n));
    const other = ['@timestamp', 'host.name', 'event.code', 'winlog.channel', 'ecs.version'].filter((n) => k.has(n));
    if (proc.length === 0 && !(k.has('ecs.version') || k.has('winlog.channel'))) {
      // Winlogbeat 6.x: event_id, computer_name, log_name and the event's fields under event_data.*.
      if (k.has('event_id') && (k.has('computer_name') || k.has('log_name'))) {
        return { score: 55, reason: 'Winlogbeat 6 keys event_id, computer_name, log_name, event_data.*' };
      }
      return { score: 0, reason: '' };
    }
    return { score: 40 + proc.length * 8 + other.length * 5, reason: `nested ECS keys ${[...proc, ...other].join(', ')}` };
  },
  map(rec: FlatRecord): MapOutcome {
    // Without ECS process.* fields (Winlogbeat 6, or 7+ without the sysmon/security modules) the record is a
    // Windows event with its data under (winlog.)event_data: map it like any other Windows event.
    if (!rec.index.has('process.executable') && !rec.index.has('process.command_line')) {
      return mapWindowsEvent(rec, windowsView(rec));
    }
    if (!isProcessStart(rec)) {
      // A Windows channel's event (Winlogbeat 7+ adds process.* to Sysmon 3, 4624 ...): the Windows table's kind.
      if (getFirst(rec, ['winlog.event_id', 'event_id']) !== undefined && getFirst(rec, ['winlog.channel', 'log_name', 'winlog.provider_name']) !== undefined) {
        return mapWindowsEvent(rec, windowsView(rec));
      }
      const category = (get(rec, 'event.category') ?? '').replace(/^\[?"?|"?\]?$/g, '').split(/"?,\s*"?/)[0] ?? '';
      const m = Object.hasOwn(ECS_CATEGORY_KINDS, category) ? ECS_CATEGORY_KINDS[category]! : undefined;
      if (!m) return { kind: 'nonProcess', what: `ecs:${get(rec, 'event.code') ?? get(rec, 'event.action') ?? get(rec, 'event.category') ?? '?'}` };
      const f: Fields = {};
      put(f, 'dest', getFirst(rec, ['host.name', 'host.hostname', 'agent.hostname']));
      vendorKindFields(m, rec, f);
      put(f, 'EventCode', getFirst(rec, ['event.code', 'event.action']));
      const provider = getFirst(rec, ['event.provider', 'event.module', 'agent.type']);
      return eventOutcome(rec, pickTime('ecs', (n) => get(rec, n)), 'ecs', provider, f, undefined, m.kind);
    }
    const f: Fields = {};
    put(f, 'dest', getFirst(rec, ['host.name', 'host.hostname', 'winlog.computer_name', 'agent.hostname']));
    put(f, 'user', joinDomainUser(get(rec, 'user.domain'), get(rec, 'user.name')) ?? get(rec, 'winlog.event_data.User'));
    put(f, 'process', getFirst(rec, ['process.command_line', 'winlog.event_data.CommandLine']));
    put(f, 'process_path', getFirst(rec, ['process.executable', 'winlog.event_data.Image', 'winlog.event_data.NewProcessName']));
    put(f, 'process_name', get(rec, 'process.name'));
    put(f, 'parent_process', getFirst(rec, ['process.parent.command_line', 'winlog.event_data.ParentCommandLine']));
    put(f, 'parent_process_path', getFirst(rec, ['process.parent.executable', 'winlog.event_data.ParentImage', 'winlog.event_data.ParentProcessName']));
    put(f, 'parent_process_name', get(rec, 'process.parent.name'));
    put(f, 'process_id', get(rec, 'process.pid'));
    put(f, 'parent_process_id', get(rec, 'process.parent.pid'));
    put(f, 'process_guid', getFirst(rec, ['process.entity_id', 'winlog.event_data.ProcessGuid']));
    put(f, 'parent_process_guid', getFirst(rec, ['process.parent.entity_id', 'winlog.event_data.ParentProcessGuid']));
    put(f, 'original_file_name', getFirst(rec, ['process.pe.original_file_name', 'winlog.event_data.OriginalFileName']));
    put(f, 'process_current_directory', getFirst(rec, ['process.working_directory', 'winlog.event_data.CurrentDirectory']));
    put(f, 'process_integrity_level', getFirst(rec, ['winlog.event_data.IntegrityLevel', 'process.Ext.token.integrity_level_name']));
    put(f, 'process_hash', getFirst(rec, ['winlog.event_data.Hashes', 'process.hash.sha256', 'process.hash.sha1', 'process.hash.md5']));
    put(f, 'EventCode', getFirst(rec, ['event.code', 'winlog.event_id']));
    const provider = getFirst(rec, ['winlog.provider_name', 'event.provider', 'event.module', 'agent.type']);
    return eventOutcome(rec, pickTime('ecs', (n) => get(rec, n)), 'ecs', provider, f);
  },
};
