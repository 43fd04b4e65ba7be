// Test events shaped like the real exports in /work/shared/data (Sysmon XML, Security 4688 XML, OTRF
// flattened NDJSON), mapped to canonical fields the way the format modules do; plus the rule pack loader.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CanonicalEvent, CanonicalField } from '../../../../engine/model/fields.ts';
import { loadRulePack } from '../../../../engine/rules/pack.ts';
import type { CompiledRule, LoadedRuleSet } from '../../../../engine/rules/types.ts';

const RULES_DIR = join(import.meta.dirname, '../../../../resources/rules');

let record = 0;

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const basename = (p: string) => p.split('\\').pop() ?? p;

export interface ProcSpec {
  /** ISO time with Z. */
  time: string;
  host: string;
  user?: string;
  image: string;
  cmd: string;
  parentImage?: string;
  parentCmd?: string;
  pid?: string;
  ppid?: string;
  originalFileName?: string;
}

function fieldsOf(p: ProcSpec, eventCode: string, withParentCmd: boolean, withOfn: boolean): Partial<Record<CanonicalField, string>> {
  const f: Partial<Record<CanonicalField, string>> = {
    dest: p.host,
    process: p.cmd,
    process_name: basename(p.image),
    process_path: p.image,
    process_id: p.pid ?? '4242',
    EventCode: eventCode,
  };
  if (p.user) f.user = p.user;
  if (p.parentImage) {
    f.parent_process_path = p.parentImage;
    f.parent_process_name = basename(p.parentImage);
  }
  if (withParentCmd && p.parentCmd) f.parent_process = p.parentCmd;
  if (p.ppid) f.parent_process_id = p.ppid;
  if (withOfn && p.originalFileName) f.original_file_name = p.originalFileName;
  return f;
}

/** Sysmon Event ID 1 as Event Viewer / evtxexport XML. */
export function sysmon1(p: ProcSpec): CanonicalEvent {
  const data: Array<[string, string | undefined]> = [
    ['UtcTime', p.time.replace('T', ' ').replace('Z', '')],
    ['ProcessId', p.pid ?? '4242'],
    ['Image', p.image],
    ['OriginalFileName', p.originalFileName],
    ['CommandLine', p.cmd],
    ['User', p.user],
    ['ParentProcessId', p.ppid],
    ['ParentImage', p.parentImage],
    ['ParentCommandLine', p.parentCmd],
  ];
  const raw =
    '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">\n  <System>\n' +
    '    <Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"/>\n' +
    `    <EventID>1</EventID>\n    <Version>5</Version>\n    <TimeCreated SystemTime="${p.time}"/>\n` +
    `    <Channel>Microsoft-Windows-Sysmon/Operational</Channel>\n    <Computer>${xmlEscape(p.host)}</Computer>\n  </System>\n  <EventData>\n` +
    data.filter(([, v]) => v !== undefined).map(([k, v]) => `    <Data Name="${k}">${xmlEscape(v!)}</Data>\n`).join('') +
    '  </EventData>\n</Event>';
  const original: Record<string, string> = { EventID: '1', Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: p.host };
  for (const [k, v] of data) if (v !== undefined) original[k] = v;
  record++;
  return {
    timeMs: Date.parse(p.time),
    fields: fieldsOf(p, '1', true, true),
    original,
    raw,
    source: 'sysmon',
    provider: 'Microsoft-Windows-Sysmon',
    locator: { evidence: 0, record, line: record * 30, byteOffset: record * 2000 },
  };
}

/** Security 4688 XML: no parent command line, no OriginalFileName; version 0/1 has no ParentProcessName either. */
export function sec4688(p: ProcSpec, version: 1 | 2 = 2): CanonicalEvent {
  const [domain, name] = (p.user ?? 'OFFSEC\\admmig').split('\\');
  const data: Array<[string, string | undefined]> = [
    ['SubjectUserName', name],
    ['SubjectDomainName', domain],
    ['NewProcessId', '0x' + Number(p.pid ?? '4242').toString(16)],
    ['NewProcessName', p.image],
    ['ProcessId', p.ppid ? '0x' + Number(p.ppid).toString(16) : '0x0'],
    ['CommandLine', p.cmd],
    ['ParentProcessName', version === 2 ? p.parentImage : undefined],
  ];
  const raw =
    '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">\n  <System>\n' +
    '    <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/>\n' +
    `    <EventID>4688</EventID>\n    <Version>${version}</Version>\n    <TimeCreated SystemTime="${p.time}"/>\n` +
    `    <Channel>Security</Channel>\n    <Computer>${xmlEscape(p.host)}</Computer>\n  </System>\n  <EventData>\n` +
    data.filter(([, v]) => v !== undefined).map(([k, v]) => `    <Data Name="${k}">${xmlEscape(v!)}</Data>\n`).join('') +
    '  </EventData>\n</Event>';
  const original: Record<string, string> = { EventID: '4688', Channel: 'Security', Computer: p.host };
  for (const [k, v] of data) if (v !== undefined) original[k] = v;
  const spec = version === 2 ? p : { ...p, parentImage: undefined };
  record++;
  return {
    timeMs: Date.parse(p.time),
    fields: fieldsOf(spec, '4688', false, false),
    original,
    raw,
    source: 'security-4688',
    provider: 'Microsoft-Windows-Security-Auditing',
    locator: { evidence: 1, record, line: record * 30, byteOffset: record * 2000 },
  };
}

/** OTRF Security-Datasets flattened NDJSON (one JSON object per line, Sysmon and Security mixed). */
export function otrfSysmon1(p: ProcSpec): CanonicalEvent {
  const obj: Record<string, string | number> = {
    TimeCreated: p.time.replace('T', ' ').replace('Z', ''),
    CommandLine: p.cmd,
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    Image: p.image,
    Hostname: p.host,
    EventID: 1,
    SourceName: 'Microsoft-Windows-Sysmon',
    ProcessId: p.pid ?? '4242',
  };
  if (p.originalFileName) obj['OriginalFileName'] = p.originalFileName;
  if (p.user) obj['User'] = p.user;
  if (p.parentImage) obj['ParentImage'] = p.parentImage;
  if (p.parentCmd) obj['ParentCommandLine'] = p.parentCmd;
  if (p.ppid) obj['ParentProcessId'] = p.ppid;
  const original: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) original[k] = String(v);
  record++;
  return {
    timeMs: Date.parse(p.time),
    fields: fieldsOf(p, '1', true, true),
    original,
    raw: JSON.stringify(obj),
    source: 'sysmon',
    provider: 'Microsoft-Windows-Sysmon',
    locator: { evidence: 2, record, line: record, byteOffset: record * 3000 },
  };
}

export function rulesDir(): string {
  return RULES_DIR;
}

export function builtinFiles(): Array<{ path: string; text: string }> {
  const dir = join(RULES_DIR, 'builtin');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => ({ path: `builtin/${f}`, text: readFileSync(join(dir, f), 'utf8') }));
}

export function macroFiles(): Array<{ path: string; text: string }> {
  return [{ path: 'macros.conf', text: readFileSync(join(RULES_DIR, 'macros.conf'), 'utf8') }];
}

let pack: LoadedRuleSet | undefined;
export function builtinPack(): LoadedRuleSet {
  pack ??= loadRulePack(builtinFiles(), macroFiles());
  return pack;
}

export function rule(id: string): CompiledRule {
  const r = builtinPack().rules.find((x) => x.meta.id === id);
  if (!r) throw new Error(`no built-in rule ${id}: ${JSON.stringify(builtinPack().issues)}`);
  return r;
}
