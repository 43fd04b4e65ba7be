// Windows records in the shape Windows writes them (System header, EventData / UserData), read through the real
// Windows XML mapper, so the movement builder sees exactly the fields a capture gives. Names, addresses and logon ids
// follow the public captures (mdecrevoisier EVTX-to-MITRE-Attack, EVTX-ATTACK-SAMPLES, OTRF).

import { expect } from 'vitest';
import { ingestText } from '../../../../engine/ingest/index.ts';
import type { CanonicalEvent } from '../../../../engine/model/fields.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import type { EventSource } from '../../../../engine/store/view.ts';
import { buildMovements, type MovementOptions } from '../../../../engine/detect/movements/build.ts';
import type { MovementResult } from '../../../../engine/detect/movements/types.ts';
import type { Finding, LateralLink } from '../../../../engine/detect/types.ts';

const NS = 'http://schemas.microsoft.com/win/2004/08/events/event';
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

let recordId = 1000;
const T0 = Date.parse('2021-04-21T09:40:30.000Z');
/** Seconds after the fixtures' epoch as an ISO time with 100 ns digits, as Windows writes SystemTime. */
export const at = (sec: number): string => new Date(T0 + Math.round(sec * 1000)).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
export const ms = (sec: number): number => T0 + Math.round(sec * 1000);

export function win(channel: string, provider: string, id: number, sec: number, computer: string, data: Record<string, string>, opts: { userData?: string; userId?: string } = {}): string {
  const body = opts.userData ?? `<EventData>${Object.entries(data).map(([k, v]) => `<Data Name="${k}">${esc(v)}</Data>`).join('')}</EventData>`;
  return (
    `<Event xmlns="${NS}"><System><Provider Name="${provider}"/><EventID>${id}</EventID><Version>2</Version><Level>0</Level>` +
    `<TimeCreated SystemTime="${at(sec)}"/><EventRecordID>${recordId++}</EventRecordID><Channel>${channel}</Channel>` +
    `<Computer>${computer}</Computer><Security${opts.userId ? ` UserID="${opts.userId}"` : ''}/></System>${body}</Event>`
  );
}

const SEC = ['Security', 'Microsoft-Windows-Security-Auditing'] as const;
const SYSMON = ['Microsoft-Windows-Sysmon/Operational', 'Microsoft-Windows-Sysmon'] as const;

export const logon4624 = (host: string, sec: number, o: { type: string; ip: string; ws?: string; user?: string; domain?: string; id: string; auth?: string; keyLength?: string }): string =>
  win(...SEC, 4624, sec, host, {
    SubjectUserSid: 'S-1-0-0', SubjectUserName: '-', SubjectDomainName: '-', SubjectLogonId: '0x0',
    TargetUserName: o.user ?? 'admmig', TargetDomainName: o.domain ?? 'OFFSEC', TargetLogonId: o.id, LogonType: o.type,
    LogonProcessName: o.auth ?? 'NtLmSsp ', AuthenticationPackageName: 'NTLM', WorkstationName: o.ws ?? '-',
    ProcessId: '0x0', ProcessName: '-', IpAddress: o.ip, IpPort: o.ip === '-' ? '-' : '56661',
    ...(o.keyLength !== undefined ? { KeyLength: o.keyLength } : {}),
  });

export const share5145 = (host: string, sec: number, o: { share: string; target: string; ip: string; id: string; access?: string }): string =>
  win(...SEC, 5145, sec, host, {
    SubjectUserName: 'admmig', SubjectDomainName: 'OFFSEC', SubjectLogonId: o.id, ObjectType: 'File', IpAddress: o.ip, IpPort: '56661',
    ShareName: `\\\\*\\${o.share}`, ShareLocalPath: o.share === 'IPC$' ? '' : '\\??\\C:\\Windows', RelativeTargetName: o.target,
    AccessMask: '0x12019f', AccessList: o.access ?? '%%1538 %%1541 %%4416 %%4417 %%4418 %%4419 %%4420 %%4423 %%4424',
  });

export const share5140 = (host: string, sec: number, o: { share: string; ip: string; id: string }): string =>
  win(...SEC, 5140, sec, host, { SubjectUserName: 'admmig', SubjectDomainName: 'OFFSEC', SubjectLogonId: o.id, ObjectType: 'File', IpAddress: o.ip, IpPort: '56661', ShareName: `\\\\*\\${o.share}`, AccessMask: '0x1', AccessList: '%%4416' });

export const service7045 = (host: string, sec: number, name: string, path: string, account = 'LocalSystem'): string =>
  win('System', 'Service Control Manager', 7045, sec, host, { ServiceName: name, ImagePath: path, ServiceType: 'user mode service', StartType: 'demand start', AccountName: account }, { userId: 'S-1-5-21-4230534742-2542757381-3142984815-1111' });

export const task4698 = (host: string, sec: number, o: { name: string; command: string; args: string; id: string }): string =>
  win(...SEC, 4698, sec, host, {
    SubjectUserName: 'admmig', SubjectDomainName: 'OFFSEC', SubjectLogonId: o.id, TaskName: o.name,
    TaskContent: `<?xml version="1.0" encoding="UTF-16"?><Task version="1.2"><Actions Context="LocalSystem"><Exec><Command>${esc(o.command)}</Command><Arguments>${esc(o.args)}</Arguments></Exec></Actions></Task>`,
  });

export const explicit4648 = (host: string, sec: number, o: { server: string; process: string; user?: string }): string =>
  win(...SEC, 4648, sec, host, {
    SubjectUserName: 'jdoe', SubjectDomainName: 'OFFSEC', SubjectLogonId: '0x2b1c3', TargetUserName: o.user ?? 'admmig', TargetDomainName: 'OFFSEC',
    TargetServerName: o.server, TargetInfo: o.server, ProcessId: '0x1a2c', ProcessName: o.process, IpAddress: '-', IpPort: '-',
  });

export const sysmon1 = (host: string, sec: number, o: { image: string; cmd: string; parent: string; parentCmd?: string; user?: string; logonId?: string; originalFileName?: string }): string =>
  win(...SYSMON, 1, sec, host, {
    RuleName: '-', UtcTime: at(sec).replace('T', ' ').slice(0, 23), ProcessGuid: `{A57649D1-0000-0000-${String(recordId).padStart(4, '0')}-000000000000}`, ProcessId: String(4000 + (recordId % 1000)),
    Image: o.image, OriginalFileName: o.originalFileName ?? o.image.slice(o.image.lastIndexOf('\\') + 1), CommandLine: o.cmd, CurrentDirectory: 'C:\\Windows\\system32\\',
    User: o.user ?? 'OFFSEC\\admmig', LogonId: o.logonId ?? '0x3e7', IntegrityLevel: 'High', ParentImage: o.parent, ParentCommandLine: o.parentCmd ?? o.parent,
  }, { userId: 'S-1-5-18' });

export const sysmon3 = (host: string, sec: number, o: { image: string; srcIp: string; destIp: string; destPort: string; srcHost?: string; destHost?: string; initiated?: boolean }): string =>
  win(...SYSMON, 3, sec, host, {
    RuleName: '-', UtcTime: at(sec).replace('T', ' ').slice(0, 23), Image: o.image, User: 'OFFSEC\\jdoe', Protocol: 'tcp', Initiated: o.initiated === false ? 'false' : 'true',
    SourceIsIpv6: 'false', SourceIp: o.srcIp, SourceHostname: o.srcHost ?? '-', SourcePort: '50123', DestinationIsIpv6: 'false', DestinationIp: o.destIp,
    DestinationHostname: o.destHost ?? '-', DestinationPort: o.destPort,
  }, { userId: 'S-1-5-18' });

export const sysmon17 = (host: string, sec: number, pipe: string, image: string): string =>
  win(...SYSMON, 17, sec, host, { RuleName: '-', EventType: 'CreatePipe', UtcTime: at(sec).replace('T', ' ').slice(0, 23), ProcessId: '4752', PipeName: pipe, Image: image }, { userId: 'S-1-5-18' });

export const rdp1149 = (host: string, sec: number, ip: string, user = 'admmig', domain = 'OFFSEC'): string =>
  win('Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational', 'Microsoft-Windows-TerminalServices-RemoteConnectionManager', 1149, sec, host, {}, {
    userData: `<UserData><EventXML xmlns="Event_NS"><Param1>${user}</Param1><Param2>${domain}</Param2><Param3>${ip}</Param3></EventXML></UserData>`,
  });

export const rdp21 = (host: string, sec: number, ip: string, user = 'OFFSEC\\admmig'): string =>
  win('Microsoft-Windows-TerminalServices-LocalSessionManager/Operational', 'Microsoft-Windows-TerminalServices-LocalSessionManager', 21, sec, host, {}, {
    userData: `<UserData><EventXML xmlns="Event_NS"><User>${esc(user)}</User><SessionID>3</SessionID><Address>${ip}</Address></EventXML></UserData>`,
  });

/** Records through the real ingest path: every one must be kept (no silent drop in the fixture itself). */
export function events(...xml: string[]): CanonicalEvent[] {
  const r = ingestText(`<Events>${xml.join('')}</Events>`);
  expect(r.stats.rejected).toBe(0);
  expect(r.events.length).toBe(xml.length);
  return r.events;
}

export function sourceOf(...xml: string[]): EventSource {
  return createMemorySource(events(...xml));
}

export function movementsOf(xml: string[], opts: Partial<MovementOptions> = {}, findings: Finding[] = [], links: LateralLink[] = []): MovementResult {
  const source = createMemorySource(events(...xml));
  return buildMovements(source, findings, links, { locate: (row) => ({ evidence: 0, record: row + 1 }), ...opts });
}

/** One line per movement: method, source (ip) -> target as account, seen from. */
export function summary(r: MovementResult): string[] {
  return r.movements.map((m) => `${m.method} ${m.source ?? '?'} (${m.sourceIp ?? '-'}) -> ${m.target} as ${m.account ?? '?'} [${m.seenFrom}]`);
}
