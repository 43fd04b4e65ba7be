// Findings: one per (rule, host, time bin) as in rules.md §3, plus host risk and lateral-movement links.

export interface FindingEventRef {
  /** Global store row. */
  row: number;
  evidence: number;
  record: number;
  timeMs: number;
}

export interface Finding {
  /** Deterministic id: `${ruleId}|${host}|${binStartMs}`, a part over 200 characters replaced by `#` + its hash (detect/run.ts findingId). */
  id: string;
  ruleId: string;
  host: string;
  binStartMs: number;
  binEndMs: number;
  eventCount: number;
  riskScore: number;
  message: string;
  techniques: string[];
  events: FindingEventRef[];
}

export interface HostRisk {
  host: string;
  events: number;
  findings: number;
  /** Splunk RBA sum: every finding's risk added (two rules on one event count twice, as in Splunk's risk index). */
  riskScore: number;
  /**
   * Each event counted once (issue 14): findings by falling risk, a finding's risk added only when it brings events no
   * finding counted before did. Set by computeHostRisk; absent only in hand-made literals.
   */
  riskDistinct?: number;
  topRules: Array<{ ruleId: string; findings: number; riskScore: number }>;
  firstMs: number;
  lastMs: number;
}

export interface LateralLink {
  id: string;
  /** Row of the event naming the other host (e.g. `psexec \\HOST`, `wmic /node:HOST`). */
  fromRow: number;
  fromHost: string;
  fromTimeMs: number;
  toRow: number;
  toHost: string;
  toTimeMs: number;
  /** What linked them: `psexec`, `wmic-node`, `admin-share`, `remote-service`, ... */
  kind: string;
  evidence: string;
  /**
   * What the target-side event is (`PSEXESVC start`, `service install`, `share access`, `network logon` ...), or
   * `no target-side event found` (NO_TARGET_EVENT): then `toRow` is -1 and `toTimeMs` the naming event's time, so the
   * arc ends on the target's lane without an event. Absent on links made before this field existed.
   */
  targetSide?: string;
}
