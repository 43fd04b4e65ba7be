// Synthetic Splunk-style fields every event carries, derived from its canonical fields and source.
// Invariant: one definition, used by the store and by the in-memory reference view alike.

import { CANONICAL_FIELDS, type CanonicalEvent, type SourceKind } from './fields.ts';

export const SOURCETYPE_BY_KIND: Readonly<Record<SourceKind, string>> = {
  sysmon: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
  'security-4688': 'XmlWinEventLog:Security',
  security: 'XmlWinEventLog:Security',
  windows: 'XmlWinEventLog',
  cim: 'cim:Endpoint.Processes',
  crowdstrike: 'crowdstrike:events:sensor',
  defender: 'ms:defender:advancedhunting:DeviceProcessEvents',
  ecs: 'winlogbeat',
  generic: 'hopscope:generic',
};

export const VENDOR_PRODUCT_BY_KIND: Readonly<Record<SourceKind, string>> = {
  sysmon: 'Microsoft Sysmon',
  'security-4688': 'Microsoft Windows',
  security: 'Microsoft Windows',
  windows: 'Microsoft Windows',
  cim: 'Splunk CIM export',
  crowdstrike: 'CrowdStrike Falcon',
  defender: 'Microsoft Defender for Endpoint',
  ecs: 'Elastic Winlogbeat',
  generic: 'Generic export',
};

/** Canonical `name=value` pairs as they appear in an event's searchable text. */
export function canonicalText(fields: Partial<Record<string, string>>): string {
  let out = '';
  for (const name of CANONICAL_FIELDS) {
    const v = fields[name];
    if (v === undefined || v === '') continue;
    out += (out ? ' ' : '') + name + '=' + v;
  }
  return out;
}

/** The searchable text of a materialised event (see rules.md §2: raw text plus canonical fields). */
export function eventText(ev: CanonicalEvent): string {
  return (ev.raw ?? '') + '\n' + canonicalText(ev.fields);
}
