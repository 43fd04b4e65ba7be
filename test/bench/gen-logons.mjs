#!/usr/bin/env node
// A Security log of N logons as Event Viewer's "Save as XML" writes it (4624 in the shape Windows 10 writes,
// with a 4634 logoff after every fourth and a 4625 every fiftieth), deterministic for a seed: the memory bench's
// input for "a DC's Security.evtx full of logons". Usage: gen-logons.mjs --out FILE --count 1000000 [--seed 1]
import { createWriteStream } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const out = opt('--out', null);
const count = Number(opt('--count', '1000000'));
let seed = Number(opt('--seed', '1')) >>> 0 || 1;
if (!out || !(count > 0)) {
  console.error('usage: gen-logons.mjs --out FILE --count N [--seed S]');
  process.exit(2);
}
const rnd = () => {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
  return seed / 4294967296;
};
const pick = (a) => a[Math.floor(rnd() * a.length)];
const users = Array.from({ length: 400 }, (_, i) => `user${String(i).padStart(3, '0')}`).concat(['admin', 'svc_backup', 'svc_sql', 'ANONYMOUS LOGON']);
const hosts = Array.from({ length: 60 }, (_, i) => `WKS-${String(1000 + i)}`);
const ips = Array.from({ length: 250 }, (_, i) => `10.0.${i >> 6}.${(i * 7) % 250 + 2}`);
const ws = createWriteStream(out);
const write = (s) => (ws.write(s) ? Promise.resolve() : new Promise((ok) => ws.once('drain', ok)));
let t = Date.UTC(2024, 4, 1, 0, 0, 0);
let logonId = 0x1375fbd;
let record = 349000;
await write('<?xml version="1.0" encoding="UTF-8"?>\n<Events>\n');
const head = (id, task) =>
  `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/><EventID>${id}</EventID><Version>2</Version><Level>0</Level><Task>${task}</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="${new Date(t).toISOString().replace('Z', '')}${String(Math.floor(rnd() * 10000)).padStart(4, '0')}Z"/><EventRecordID>${++record}</EventRecordID><Correlation ActivityID="{42422748-35ED-0000-6027-4242ED35D701}"/><Execution ProcessID="584" ThreadID="${5000 + Math.floor(rnd() * 900)}"/><Channel>Security</Channel><Computer>DC01.corp.example</Computer><Security/></System>`;
let chunk = '';
for (let i = 0; i < count; i++) {
  t += Math.floor(rnd() * 40);
  const user = pick(users);
  const type = pick(['3', '3', '3', '3', '2', '10', '5']);
  const ip = type === '5' ? '-' : pick(ips);
  const id = '0x' + (++logonId).toString(16).padStart(16, '0');
  if (i % 50 === 49) {
    chunk += `${head(4625, 12544)}<EventData><Data Name="SubjectUserSid">S-1-0-0</Data><Data Name="SubjectUserName">-</Data><Data Name="SubjectDomainName">-</Data><Data Name="SubjectLogonId">0x0</Data><Data Name="TargetUserSid">S-1-0-0</Data><Data Name="TargetUserName">${user}</Data><Data Name="TargetDomainName">CORP</Data><Data Name="Status">0xc000006d</Data><Data Name="FailureReason">%%2313</Data><Data Name="SubStatus">0xc000006a</Data><Data Name="LogonType">${type}</Data><Data Name="LogonProcessName">NtLmSsp </Data><Data Name="AuthenticationPackageName">NTLM</Data><Data Name="WorkstationName">${pick(hosts)}</Data><Data Name="TransmittedServices">-</Data><Data Name="LmPackageName">-</Data><Data Name="KeyLength">0</Data><Data Name="ProcessId">0x0</Data><Data Name="ProcessName">-</Data><Data Name="IpAddress">${ip}</Data><Data Name="IpPort">${1024 + Math.floor(rnd() * 60000)}</Data></EventData></Event>\n`;
  } else {
    chunk += `${head(4624, 12544)}<EventData><Data Name="SubjectUserSid">S-1-0-0</Data><Data Name="SubjectUserName">-</Data><Data Name="SubjectDomainName">-</Data><Data Name="SubjectLogonId">0x0000000000000000</Data><Data Name="TargetUserSid">S-1-5-21-4230534742-2542757381-3142984815-${1100 + users.indexOf(user)}</Data><Data Name="TargetUserName">${user}</Data><Data Name="TargetDomainName">CORP</Data><Data Name="TargetLogonId">${id}</Data><Data Name="LogonType">${type}</Data><Data Name="LogonProcessName">Kerberos</Data><Data Name="AuthenticationPackageName">Kerberos</Data><Data Name="WorkstationName">${type === '10' ? pick(hosts) : '-'}</Data><Data Name="LogonGuid">{B8C3A477-69DB-D96F-F0C0-${(i * 2654435761 >>> 0).toString(16).padStart(8, '0').toUpperCase()}CECB}</Data><Data Name="TransmittedServices">-</Data><Data Name="LmPackageName">-</Data><Data Name="KeyLength">0</Data><Data Name="ProcessId">0x0000000000000000</Data><Data Name="ProcessName">-</Data><Data Name="IpAddress">${ip}</Data><Data Name="IpPort">${ip === '-' ? '-' : 1024 + Math.floor(rnd() * 60000)}</Data><Data Name="ImpersonationLevel">%%1833</Data><Data Name="RestrictedAdminMode">-</Data><Data Name="TargetOutboundUserName">-</Data><Data Name="TargetOutboundDomainName">-</Data><Data Name="VirtualAccount">%%1843</Data><Data Name="TargetLinkedLogonId">0x0000000000000000</Data><Data Name="ElevatedToken">%%1842</Data></EventData></Event>\n`;
    if (i % 4 === 3) chunk += `${head(4634, 12545)}<EventData><Data Name="TargetUserSid">S-1-5-21-4230534742-2542757381-3142984815-${1100 + users.indexOf(user)}</Data><Data Name="TargetUserName">${user}</Data><Data Name="TargetDomainName">CORP</Data><Data Name="TargetLogonId">${id}</Data><Data Name="LogonType">${type}</Data></EventData></Event>\n`;
  }
  if (chunk.length > 1 << 20) {
    await write(chunk);
    chunk = '';
  }
}
await write(chunk + '</Events>\n');
ws.end();
