// Splunk exports of classic (non-XML) Windows events (issue 13): Splunk_TA_windows' field names (Logon_Type,
// Source_Network_Address, Share_Name, Service_File_Name ...) and its CIM fields (user, src_ip) give the same kinds and
// canonical fields as the event XML would.
import { describe, expect, it } from 'vitest';
import { ingestText } from '../../../engine/ingest/index.ts';

const HEADER = '_time,host,source,sourcetype,EventCode,LogName,user,src_ip,Logon_Type,Workstation_Name,Source_Network_Address,Share_Name,Relative_Target_Name,Service_Name,Service_File_Name,_raw';
const row = (cells: string[]) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');

describe('Splunk classic WinEventLog rows', () => {
  it('4624, 5145 and 7045 rows become logon, share_access and service_install with their fields', () => {
    const csv = [
      HEADER,
      row(['2024-05-01T08:00:01.000+0000', 'SRV-1', 'WinEventLog:Security', 'WinEventLog', '4624', 'Security', 'admin', '10.0.0.5', '3', 'WKS01', '10.0.0.5', '', '', '', '', '05/01/2024 08:00:01 AM LogName=Security EventCode=4624']),
      row(['2024-05-01T08:00:02.000+0000', 'SRV-1', 'WinEventLog:Security', 'WinEventLog', '5145', 'Security', 'admin', '10.0.0.5', '', '', '10.0.0.5', '\\\\*\\IPC$', 'svcctl', '', '', 'EventCode=5145']),
      row(['2024-05-01T08:00:03.000+0000', 'SRV-1', 'WinEventLog:System', 'WinEventLog', '7045', 'System', '', '', '', '', '', '', '', 'PSEXESVC', '%SystemRoot%\\PSEXESVC.exe', 'EventCode=7045']),
    ].join('\n');
    const r = ingestText(csv);
    expect(r.stats.rejected).toBe(0);
    expect(r.events.map((e) => e.kind)).toEqual(['logon', 'share_access', 'service_install']);
    expect(r.events[0]!.fields).toMatchObject({ dest: 'SRV-1', logon_type: '3', src_ip: '10.0.0.5', src: 'WKS01', user: 'admin' });
    expect(r.events[1]!.fields).toMatchObject({ share_name: '\\\\*\\IPC$', share_target: 'svcctl', src_ip: '10.0.0.5' });
    expect(r.events[2]!.fields).toMatchObject({ service_name: 'PSEXESVC', service_path: '%SystemRoot%\\PSEXESVC.exe' });
  });
});
