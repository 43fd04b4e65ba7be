// In-memory HopscopeApi for component tests: real-shaped answers (hosts, rows, findings) computed on demand,
// so a million-row table costs nothing; every call is recorded for assertions.
import type { AnnotationChange, AnnotationDoc } from '../../engine/case/annotations.ts';
import type { ErrorInfo } from '../../engine/model/errors.ts';
import type { Finding, HostRisk, LateralLink } from '../../engine/detect/types.ts';
import type { MovementResult } from '../../engine/detect/movements/types.ts';
import type {
  AppInfo,
  CaseSummary,
  Channel,
  EventDetails,
  EvidenceCheckResult,
  EvidenceHandle,
  FileLike,
  FindingsResponse,
  HopscopeApi,
  HostPush,
  ProcessNode,
  RecentCaseItem,
  RecentItem,
  Req,
  RescanRequest,
  Res,
  RowsRequest,
  RowsResponse,
  TimelineResponse,
} from '../../engine/rpc/api.ts';

export const HOSTS = ['DC01', 'SRV-FILE-01', 'WKS-NYC-1001', 'WKS-NYC-1002'];
export const BASE_MS = Date.UTC(2024, 2, 5, 14, 0, 0);

export interface FakeEvent {
  row: number;
  timeMs: number;
  fields: Record<string, string | null>;
}

/** Deterministic event `i`: one per second, hosts in rotation. */
export function fakeEvent(i: number): FakeEvent {
  const host = HOSTS[i % HOSTS.length]!;
  const lateral = i % 50 === 7;
  return {
    row: i,
    timeMs: BASE_MS + i * 1000,
    fields: {
      dest: host,
      user: i % 3 === 0 ? 'CORP\\alice' : 'NT AUTHORITY\\SYSTEM',
      parent_process_name: lateral ? 'WmiPrvSE.exe' : 'explorer.exe',
      process_name: lateral ? 'cmd.exe' : 'notepad.exe',
      process: lateral
        ? `cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1709647${String(i).padStart(3, '0')}.5 2>&1`
        : `"C:\\Windows\\System32\\notepad.exe" C:\\Users\\alice\\notes-${i}.txt`,
      process_id: String(1000 + i),
      parent_process_id: String(900 + (i % 7)),
      EventCode: '1',
    },
  };
}

export const FINDINGS: Finding[] = [
  {
    id: `impacket-lateral-movement-sysmon|SRV-FILE-01|${BASE_MS + 7000}`,
    ruleId: 'impacket-lateral-movement-sysmon',
    host: 'SRV-FILE-01',
    binStartMs: BASE_MS + 7000,
    binEndMs: BASE_MS + 8000,
    eventCount: 1,
    riskScore: 80,
    message: 'Impacket lateral movement (wmiexec/smbexec) on SRV-FILE-01: cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1709647007.5 2>&1',
    techniques: ['T1021.002', 'T1047'],
    events: [{ row: 7, evidence: 0, record: 8, timeMs: BASE_MS + 7000 }],
  },
  {
    id: `psexec-accepteula|WKS-NYC-1001|${BASE_MS + 42000}`,
    ruleId: 'psexec-accepteula',
    host: 'WKS-NYC-1001',
    binStartMs: BASE_MS + 42000,
    binEndMs: BASE_MS + 43000,
    eventCount: 2,
    riskScore: 56,
    message: 'PsExec with -accepteula run by CORP\\alice on WKS-NYC-1001: psexec.exe \\\\DC01 -accepteula -s cmd.exe',
    techniques: ['T1569.002', 'T1021.002'],
    events: [
      { row: 42, evidence: 0, record: 43, timeMs: BASE_MS + 42000 },
      { row: 43, evidence: 0, record: 44, timeMs: BASE_MS + 42500 },
    ],
  },
];

export const LINKS: LateralLink[] = [
  { id: 'l1', fromRow: 42, fromHost: 'WKS-NYC-1001', fromTimeMs: BASE_MS + 42_000, toRow: 45, toHost: 'DC01', toTimeMs: BASE_MS + 45_000, kind: 'psexec', evidence: 'sysmon-lateral.csv' },
];

/** One PsExec movement WKS-NYC-1001 -> DC01 as CORP\\alice, seen from both sides, attributing the PsExec finding. */
export const MOVEMENTS: MovementResult = {
  movements: [
    {
      id: `mv|psexec|DC01|${BASE_MS + 42_000}|42`,
      method: 'psexec',
      source: 'WKS-NYC-1001',
      sourceIp: '10.0.0.12',
      source_attribution: { host: 'WKS-NYC-1001', ip: '10.0.0.12', resolvedBy: 'workstation-name', rows: [44] },
      target: 'DC01',
      account: 'CORP\\alice',
      logonId: '0x3e7a1',
      firstMs: BASE_MS + 42_000,
      lastMs: BASE_MS + 45_000,
      steps: [
        { role: 'naming-command', row: 42, evidence: 0, record: 43, timeMs: BASE_MS + 42_000, host: 'WKS-NYC-1001', kind: 'process_creation', summary: 'psexec.exe \\\\DC01 -accepteula -s cmd.exe' },
        { role: 'logon', row: 44, evidence: 0, record: 45, timeMs: BASE_MS + 44_000, host: 'DC01', kind: 'logon', summary: '4624 type 3 logon CORP\\alice from 10.0.0.12 (WKS-NYC-1001), logon id 0x3e7a1' },
        { role: 'process', row: 45, evidence: 0, record: 46, timeMs: BASE_MS + 45_000, host: 'DC01', kind: 'process_creation', summary: 'PSEXESVC.exe started by services.exe' },
      ],
      missing: ['service-install'],
      seenFrom: 'both',
      findingIds: [`psexec-accepteula|WKS-NYC-1001|${BASE_MS + 42000}`],
      linkIds: ['l1'],
      explanation: 'PsExec from WKS-NYC-1001 named DC01; DC01 logged the network logon and PSEXESVC started by services.exe.',
      sourceOnly: false,
    },
  ],
  paths: [],
  episodes: [],
  findingSources: {},
};

export interface FakeApiOptions {
  totalRows?: number;
  mode?: AppInfo['mode'];
  /** Replace field values of event `i` (e.g. to inject hostile markup). */
  rowOverride?: (e: FakeEvent) => FakeEvent;
  /** Events of a binary .evtx: no lines (0), located by byte offset. */
  noLines?: boolean;
  /** Make a channel fail with this error. */
  failures?: Partial<Record<Channel, ErrorInfo>>;
  recent?: RecentItem[];
  recentCases?: RecentCaseItem[];
  reopen?: { jobId: string | null; checks: EvidenceCheckResult[] };
  /** What query.findings answers for movements (default MOVEMENTS). */
  movements?: MovementResult;
  /** The evidence's events per kind in the summary; query.rows and query.timeline then honour `kinds` (by these shares). */
  eventsByKind?: Record<string, number>;
}

export class FakeApi implements HopscopeApi {
  readonly calls: Array<{ channel: Channel; req: unknown }> = [];
  readonly uploads: FileLike[] = [];
  private readonly listeners = new Set<(p: HostPush) => void>();
  private readonly opts: FakeApiOptions;
  totalRows: number;
  jobs = 0;
  annotationDoc: AnnotationDoc = { findings: {}, events: {} };
  /** What `case.saveView` stored last; `case.view` returns it. */
  savedView: unknown = null;
  /** Rules from `rules.add`, run once a `case.rescan` asks to reload them. */
  private savedRules: CaseSummary['rules'] = [];
  private activeRules: CaseSummary['rules'] = [];

  constructor(opts: FakeApiOptions = {}) {
    this.opts = opts;
    this.totalRows = opts.totalRows ?? 1000;
  }

  callsTo<C extends Channel>(channel: C): Array<Req<C>> {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.req as Req<C>);
  }

  subscribe(listener: (p: HostPush) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(push: HostPush): void {
    for (const l of [...this.listeners]) l(push);
  }

  async upload(file: FileLike): Promise<EvidenceHandle> {
    this.uploads.push(file);
    return { id: `up-${this.uploads.length}`, name: file.name, bytes: file.size };
  }

  event(i: number): FakeEvent {
    const e = fakeEvent(i);
    return this.opts.rowOverride ? this.opts.rowOverride(e) : e;
  }

  summary(): CaseSummary {
    return {
      evidence: [
        {
          id: 'ev-1',
          name: 'sysmon-lateral.csv',
          path: '/samples/sysmon-lateral.csv',
          bytes: 123_456,
          sha256: 'a'.repeat(64),
          format: 'sysmon-csv',
          formatReason: 'header has EventID, Image, CommandLine',
          encoding: 'utf-8',
          events: this.totalRows,
          nonProcessEvents: 3,
          rejected: 2,
          rejectedByReason: { 'unparseable time': 2 },
          rejectSamples: [
            { evidence: 'sysmon-lateral.csv', line: 17, record: 16, reason: 'unparseable time "yesterday"' },
            { evidence: 'sysmon-lateral.csv', line: 90, record: 89, reason: 'unparseable time "<script>alert(1)</script>"' },
          ],
          assumedUtc: false,
          addedAt: '2024-03-05T15:00:00.000Z',
          ...(this.opts.eventsByKind ? { eventsByKind: this.opts.eventsByKind } : {}),
        },
      ],
      events: this.totalRows,
      hosts: HOSTS,
      firstMs: BASE_MS,
      lastMs: BASE_MS + (this.totalRows - 1) * 1000,
      rules: [
        { id: 'psexec-accepteula', title: 'PsExec with -accepteula', language: 'spl', source: 'builtin:psexec.spl', riskScore: 56, techniques: ['T1569.002'] },
        { id: 'impacket-lateral-movement-sysmon', title: 'Impacket lateral movement', language: 'spl', source: 'builtin:impacket.spl', riskScore: 80, techniques: ['T1047'] },
        ...this.activeRules,
      ],
      ruleIssues: [],
      findings: FINDINGS.length,
      binSpanSec: 1,
    };
  }

  private rows(req: RowsRequest): RowsResponse {
    const columns = req.columns ?? ['dest', 'user', 'process_name', 'process'];
    if (req.filter?.includes('((')) {
      return { total: 0, offset: req.offset, columns, rows: [], filterError: { code: 'E_USAGE', message: `unbalanced parenthesis (column ${req.filter.indexOf('((') + 1})`, location: { column: req.filter.indexOf('((') + 1 } } };
    }
    const total = req.findingId ? (FINDINGS.find((f) => f.id === req.findingId)?.eventCount ?? 0) : this.kindShare(req.kinds, this.totalRows);
    const rows: RowsResponse['rows'] = [];
    const end = Math.min(total, req.offset + req.limit);
    for (let i = req.offset; i < end; i++) {
      const idx = req.sort?.dir === 'desc' ? total - 1 - i : i;
      const e = this.event(idx);
      const rules = c_rules(e.row);
      rows.push({ row: e.row, timeMs: e.timeMs, values: columns.map((c) => (c === '_time' ? new Date(e.timeMs).toISOString() : c === '_rules' ? rules : (e.fields[c] ?? null))) });
    }
    return { total, offset: req.offset, columns, rows };
  }

  /** `n` events narrowed to `kinds` by the shares of `eventsByKind` (all of `n` without either). */
  private kindShare(kinds: string[] | undefined, n: number): number {
    const by = this.opts.eventsByKind;
    if (!kinds || !by) return n;
    const all = Object.values(by).reduce((a, b) => a + b, 0);
    const kept = kinds.reduce((a, k) => a + (by[k] ?? 0), 0);
    return all === 0 ? 0 : Math.round((n * kept) / all);
  }

  private timeline(req: Req<'query.timeline'>): TimelineResponse {
    // Whole-second buckets when the span allows (the fixtures' numbers); below, span / buckets as the engine answers.
    const exact = (req.endMs - req.startMs) / req.buckets;
    const bucketMs = exact >= 1000 ? Math.ceil(exact / 1000) * 1000 : exact;
    const n = Math.ceil((req.endMs - req.startMs) / bucketMs);
    const lanes = HOSTS.map((host, h) => ({
      host,
      riskScore: FINDINGS.filter((f) => f.host === host).reduce((m, f) => Math.max(m, f.riskScore), 0),
      counts: Array.from({ length: n }, (_, b) => this.kindShare(req.kinds, ((b + h) % 5) + (h === 0 ? 3 : 0))),
      findings: Array.from({ length: n }, (_, b) => (FINDINGS.some((f) => f.host === host && Math.floor((f.binStartMs - req.startMs) / bucketMs) === b) ? 1 : 0)),
      maxRisk: Array.from({ length: n }, (_, b) =>
        FINDINGS.filter((f) => f.host === host && Math.floor((f.binStartMs - req.startMs) / bucketMs) === b).reduce((m, f) => Math.max(m, f.riskScore), 0),
      ),
    }));
    const total = Array.from({ length: n }, (_, b) => lanes.reduce((s, l) => s + (l.counts[b] ?? 0), 0));
    return { startMs: req.startMs, endMs: req.startMs + n * bucketMs, bucketMs, lanes, total };
  }

  private details(row: number): EventDetails {
    const e = this.event(row);
    const canonical: Record<string, string | null> = { ...e.fields };
    const original: Record<string, string> = {
      UtcTime: new Date(e.timeMs).toISOString().replace('T', ' ').replace('Z', ''),
      Computer: e.fields['dest'] ?? '',
      CommandLine: e.fields['process'] ?? '',
      ParentImage: `C:\\Windows\\System32\\${e.fields['parent_process_name'] ?? ''}`,
    };
    if (this.opts.noLines) return { row, timeMs: e.timeMs, evidence: 'Sysmon.evtx', record: row + 1, line: 0, byteOffset: 4608 + row * 1200, canonical, original, raw: Object.values(original).join(',') };
    return { row, timeMs: e.timeMs, evidence: 'sysmon-lateral.csv', record: row + 1, line: row + 2, canonical, original, raw: Object.values(original).join(',') };
  }

  private tree(row: number): ProcessNode[] {
    const e = this.event(row);
    const parentRow = Math.max(0, row - 1);
    return [
      { row: parentRow, timeMs: e.timeMs - 500, process_name: 'svchost.exe', process: 'C:\\Windows\\system32\\svchost.exe -k DcomLaunch', process_id: '612', depth: 0, relation: 'unlogged-parent' },
      { row: parentRow, timeMs: e.timeMs - 500, process_name: e.fields['parent_process_name'] ?? null, process: e.fields['parent_process_name'] ?? null, process_id: e.fields['parent_process_id'] ?? null, depth: 1, relation: 'ancestor' },
      { row, timeMs: e.timeMs, process_name: e.fields['process_name'] ?? null, process: e.fields['process'] ?? null, process_id: e.fields['process_id'] ?? null, depth: 2, relation: 'self' },
    ];
  }

  private findings(): FindingsResponse {
    const hosts: HostRisk[] = HOSTS.map((host) => {
      const fs = FINDINGS.filter((f) => f.host === host);
      return {
        host,
        events: Math.ceil(this.totalRows / HOSTS.length),
        findings: fs.length,
        riskScore: fs.reduce((m, f) => m + f.riskScore, 0),
        topRules: fs.map((f) => ({ ruleId: f.ruleId, findings: 1, riskScore: f.riskScore })),
        firstMs: BASE_MS,
        lastMs: BASE_MS + this.totalRows * 1000,
      };
    });
    // Deliberately not sorted by risk: the panel must sort.
    return { findings: [...FINDINGS].reverse(), hosts, links: LINKS, movements: this.opts.movements ?? MOVEMENTS };
  }

  /** Plain changes, or a bulk request expanded over its findings and `events:<n>` ids standing for the scope's events. */
  private changesOf(req: Req<'case.annotate'>): AnnotationChange[] {
    if (req.changes) return req.changes;
    const b = req.bulk!;
    const targets = [...(b.findingIds ?? []).map((id) => ({ kind: 'finding' as const, id })), ...(b.events ? [{ kind: 'event' as const, id: `events:${b.events.filter ?? ''}` }] : [])];
    return targets.flatMap((target) => b.edits.map((e) => ({ ...e, target, atIso: b.atIso }) as AnnotationChange));
  }

  /** A small subset of engine/case/annotations.ts, enough for the UI; returns a new document each time. */
  private annotate(changes: AnnotationChange[]): AnnotationDoc {
    const doc: AnnotationDoc = structuredClone(this.annotationDoc);
    for (const c of changes) {
      const bucket = c.target.kind === 'finding' ? doc.findings : doc.events;
      const a = (bucket[c.target.id] ??= { status: 'new', tags: [], comments: [], star: false });
      if (c.op === 'setStatus') a.status = c.status;
      else if (c.op === 'setStar') a.star = c.star;
      else if (c.op === 'addTag') a.tags = [...new Set([...a.tags, c.tag])].sort();
      else if (c.op === 'removeTag') a.tags = a.tags.filter((t) => t !== c.tag);
      else if (c.op === 'addComment') a.comments = [...a.comments, { author: c.author, atIso: c.atIso, text: c.text }];
    }
    this.annotationDoc = doc;
    return doc;
  }

  async call<C extends Channel>(channel: C, req: Req<C>): Promise<Res<C>> {
    this.calls.push({ channel, req });
    const failure = this.opts.failures?.[channel];
    if (failure) throw Object.assign(new Error(failure.message), failure);
    return this.answer(channel, req) as Res<C>;
  }

  private answer(channel: Channel, req: unknown): unknown {
    switch (channel) {
      case 'app.info':
        return {
          name: 'Hopscope',
          version: '0.1.0',
          mode: this.opts.mode ?? 'test',
          samples: [{ id: 'lateral-movement', name: 'lateral-movement.csv', bytes: 52_000, description: 'Sysmon export with PsExec and Impacket activity' }],
        } satisfies AppInfo;
      case 'files.recent':
        return this.opts.recent ?? [];
      case 'files.pick':
      case 'files.preopened':
        return [];
      case 'case.open':
      case 'case.openSample':
      case 'case.openRecent':
        return { jobId: `job-${++this.jobs}` };
      case 'case.cancel':
        return { cancelled: true };
      case 'case.summary':
        return null;
      case 'query.timeline':
        return this.timeline(req as Req<'query.timeline'>);
      case 'query.rows':
        return this.rows(req as RowsRequest);
      case 'query.event':
        return this.details((req as { row: number }).row);
      case 'query.processTree':
        return this.tree((req as { row: number }).row);
      case 'query.findings':
        return this.findings();
      case 'case.annotations':
        return this.annotationDoc;
      case 'case.annotate':
        return this.annotate(this.changesOf(req as Req<'case.annotate'>));
      case 'settings.get':
        return { analyst: 'alice', binSpanSec: 1, timeZone: 'UTC', fromCase: true };
      case 'settings.set':
        return { analyst: (req as { analyst?: string }).analyst ?? 'alice', binSpanSec: 1, timeZone: (req as { timeZone?: string }).timeZone ?? 'UTC', fromCase: true };
      case 'case.verifyEvidence':
        return [
          { sha256: 'a'.repeat(64), path: '/samples/sysmon-lateral.csv', name: 'sysmon-lateral.csv', status: 'ok' },
          { sha256: 'c'.repeat(64), path: '/cases/<b>x</b>.csv', name: '<b>x</b>.csv', status: 'missing', reason: 'no such file' },
        ] satisfies EvidenceCheckResult[];
      case 'case.rescan':
        if ((req as RescanRequest).reloadRules) this.activeRules.push(...this.savedRules.splice(0));
        return { ...this.summary(), binSpanSec: (req as { binSpanSec?: number }).binSpanSec ?? 1 };
      case 'rules.add': {
        // Like the host: saved now, run by the next case.rescan with reloadRules.
        const files = (req as Req<'rules.add'>).files;
        for (const f of files) this.savedRules.push({ id: `sigma-${f.name}`, title: /^title: (.*)$/m.exec(f.text)?.[1] ?? f.name, language: 'sigma', source: f.name, riskScore: 50, techniques: [] });
        return { added: files.map((f) => ({ name: f.name, kind: 'sigma' as const })) };
      }
      case 'case.recent':
        return this.opts.recentCases ?? [];
      case 'case.reopen':
        return this.opts.reopen ?? { jobId: `job-${++this.jobs}`, checks: [] };
      case 'files.setMapping':
        return { ok: true };
      case 'case.view':
        return { view: this.savedView };
      case 'case.saveView':
        this.savedView = (req as { view: unknown }).view;
        return { ok: true };
      case 'query.explain': {
        const f = FINDINGS.find((x) => x.id === (req as { findingId?: string }).findingId);
        return (f?.events ?? []).map((e) => ({
          row: e.row,
          timeMs: e.timeMs,
          matched: true,
          steps: [
            { stage: 'search', condition: 'process="*-accepteula*" AND process_name="<script>psexec.exe"', fields: { process: this.event(e.row).fields['process'] ?? null } },
          ],
        }));
      }
      default:
        throw Object.assign(new Error(`fake API: ${channel} not implemented`), { code: 'E_PROTOCOL' });
    }
  }
}

/** The detections column as the engine fills it: the rule ids of the findings holding the row. */
function c_rules(row: number): string | null {
  const ids = [...new Set(FINDINGS.filter((f) => f.events.some((e) => e.row === row)).map((f) => f.ruleId))];
  return ids.length > 0 ? ids.join(', ') : null;
}
