// The host service behind every transport (Electron IPC, browser WebSocket, tests): implements each ApiContract
// channel over the engine worker, the evidence registry, samples, recent files and rule folders.
// Invariant: every request is validated before anything else, and only registered handles reach the disk.

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { HopscopeError, toErrorInfo } from '../../engine/model/errors.ts';
import { BULK_MAX_EVENTS, EXPORT_MAX_EVENTS } from '../../engine/rpc/api.ts';
import type {
  AppInfo,
  BulkAnnotation,
  CaseSummary,
  Channel,
  EvidenceHandle,
  EventScope,
  ExportFormat,
  ExportResponse,
  HostPush,
  IngestProgress,
  RecentItem,
  RescanRequest,
  Req,
  Res,
  RuleFileUpload,
  RulesAddResult,
} from '../../engine/rpc/api.ts';
import type { GenericMapping } from '../../engine/formats/types.ts';
import type { LoadRulesParams, ReportFormat } from '../../engine/rpc/protocol.ts';
import { validateRequest } from '../../engine/rpc/validate.ts';
import { UPLOAD_ORIGIN } from '../../engine/export/report.ts';
import { emptyDoc, type AnnotationChange, type AnnotationDoc, type AnnotationTarget } from '../../engine/case/annotations.ts';
import { checkHostTable } from '../../engine/detect/movements/host-table.ts';
import { runCaseJob, type CaseInput, type CaseJob } from './case-job.ts';
import { createCaseService, ruleRefs } from './case-service.ts';
import { createEngineClient, type EngineLike } from './engine-client.ts';
import { statEvidence } from './evidence.ts';
import { collectRuleFiles } from './rule-files.ts';
import { journalDamageNotice } from './case-store.ts';
import { replaceFileDurable, writeOutputFile } from './atomic-write.ts';
import { expandEvidencePaths } from './evidence-folder.ts';
import { nodeCaseFs } from './case/case-fs.ts';

export type HostMode = 'electron' | 'browser' | 'test';
export type RegisterHow = 'picked' | 'dropped' | 'cli' | 'upload';

export interface HostServiceOptions {
  mode: HostMode;
  /** Folder with rules/ and samples/ (the repo's resources/, or the packaged app's resources). */
  resourcesDir: string;
  /** Per-user writable folder (recent files). Never evidence. */
  userDataDir: string;
  /** Files named on the command line: registered at start, listed by `files.preopened`. */
  preopened?: string[];
  /** Extra rule-pack folders and Sigma folders (besides `<userDataDir>/rules` and `<userDataDir>/sigma`, used when present). */
  ruleDirs?: string[];
  sigmaDirs?: string[];
  binSpanSec?: number;
  version?: string;
  /** Electron: show the native open dialog and return the chosen paths. */
  pickFiles?: (folder?: boolean) => Promise<string[]>;
  /** Electron: show the native save dialog for an export; null when the user cancelled. The host writes the file. */
  chooseSavePath?: (suggestedName: string) => Promise<string | null>;
  /** Electron: print the (script-free) HTML report to PDF in a hidden sandboxed window. */
  printToPdf?: (html: string) => Promise<Uint8Array>;
  /** Injected engine (tests); default: the real worker. */
  engine?: EngineLike;
  workerPath?: string;
}

export interface HostService {
  readonly mode: HostMode;
  /** Validate, then run one API channel. Rejects with a HopscopeError (E_PROTOCOL for invalid requests). */
  call(channel: string, req: unknown): Promise<unknown>;
  subscribe(listener: (push: HostPush) => void): () => void;
  /** Allow the renderer to open this file; returns the opaque handle it may name. */
  registerPath(path: string, how: RegisterHow): Promise<EvidenceHandle>;
  /** Files, and folders as the log files below them (evidence-folder.ts). */
  registerPaths(paths: readonly string[], how: RegisterHow): Promise<EvidenceHandle[]>;
  /** Resolves once command-line files are registered. */
  readonly ready: Promise<void>;
  /** Export the current case's report (CLI, Electron save dialog). */
  report(format: ReportFormat): Promise<Uint8Array>;
  close(): Promise<void>;
}

interface Registered {
  handle: EvidenceHandle;
  path: string;
  how: RegisterHow;
}

interface Sample {
  id: string;
  name: string;
  bytes: number;
  description: string;
  path: string;
}

const RECENT_FILE = 'recent.json';
const MAPPINGS_FILE = 'mappings.json';
const MAX_MAPPINGS = 1000;
const EXPORT_MIME: Readonly<Record<ExportFormat | 'pdf', string>> = {
  json: 'application/json',
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
  html: 'text/html',
  pdf: 'application/pdf',
};

const MAX_RECENT = 20;
const SAMPLE_EXT = new Set(['.evtx', '.csv', '.json', '.ndjson', '.jsonl', '.xml', '.log', '.txt']);

function describeSample(file: string): string {
  const lower = file.toLowerCase();
  const kind = lower.endsWith('.evtx') ? 'binary Windows event log, .evtx' : lower.endsWith('.xml') ? 'Sysmon / Windows event XML' : lower.endsWith('.csv') ? 'CSV export' : 'JSON export';
  return `Demo process-creation log (${kind}) with lateral-movement episodes among ordinary activity.`;
}

/** A rule file name the app saves: no folders, no leading dot, a rule extension. */
const RULE_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9 ._()+-]{0,150}\.(?:ya?ml|conf)$/i;
const MAX_RULE_UPLOAD_FILES = 500;

/** Where an added rule file belongs: macros by extension, SPL rule-pack files by their `language: spl` line, else Sigma. */
function ruleFileKind(name: string, text: string): 'sigma' | 'spl' | 'macros' {
  if (extname(name).toLowerCase() === '.conf') return 'macros';
  return /^language:[ \t]*["']?spl["']?[ \t]*(?:#.*)?$/m.test(text) ? 'spl' : 'sigma';
}

/** The user's own rule folders are optional: absent means none, not an error. */
async function existing(dir: string): Promise<string[]> {
  try {
    return (await stat(dir)).isDirectory() ? [dir] : [];
  } catch {
    return [];
  }
}

export function createHostService(opts: HostServiceOptions): HostService {
  const engine = opts.engine ?? createEngineClient({ workerPath: opts.workerPath });
  const listeners = new Set<(p: HostPush) => void>();
  const handles = new Map<string, Registered>();
  const preopenedIds: string[] = [];
  let binSpanSec = opts.binSpanSec ?? 1;
  let lastRules: LoadRulesParams | null = null;
  // One durable case folder per evidence set (journal + snapshots); no case file may land on a registered evidence path.
  const cases = createCaseService({ userDataDir: opts.userDataDir, protectedPaths: () => [...handles.values()].map((h) => h.path) });
  let job: { id: string; run: CaseJob } | null = null;
  let lastSummary: CaseSummary | null = null;
  let samplesCache: Sample[] | null = null;
  let recentCache: Array<RecentItem & { fullPath: string }> | null = null;
  let recentWrite: Promise<void> = Promise.resolve();
  let mappingWrite: Promise<void> = Promise.resolve();

  const push = (p: HostPush): void => {
    for (const l of [...listeners]) {
      try {
        l(p);
      } catch {
        // A broken listener (closed socket) must not stop others from hearing about the case.
      }
    }
  };

  engine.onCrash((error) => {
    lastSummary = null;
    // A running job reports the crash itself when its pending call fails.
    if (!job) push({ type: 'error', error });
  });

  async function registerPath(path: string, how: RegisterHow): Promise<EvidenceHandle> {
    const abs = resolve(path);
    const st = await statEvidence(abs);
    for (const r of handles.values()) if (r.path === abs) return { ...r.handle, bytes: st.bytes };
    const handle: EvidenceHandle = { id: randomBytes(16).toString('hex'), name: basename(abs), bytes: st.bytes };
    handles.set(handle.id, { handle, path: abs, how });
    return handle;
  }

  /** Files, and folders as the log files below them (evidence-folder.ts); what a folder passes over is pushed as a warning. */
  async function registerPaths(paths: readonly string[], how: RegisterHow): Promise<EvidenceHandle[]> {
    const { files, skipped } = await expandEvidencePaths(paths);
    if (skipped.length) {
      const shown = skipped.slice(0, 20).map((k) => `${basename(k.path)}: ${k.reason}`).join('; ');
      push({ type: 'error', error: { code: 'E_USAGE', message: `passed over in the folder: ${shown}${skipped.length > 20 ? ` (and ${skipped.length - 20} more)` : ''}` } });
    }
    const out: EvidenceHandle[] = [];
    for (const f of files) out.push(await registerPath(f, how));
    return out;
  }

  const ready = (async () => {
    for (const p of opts.preopened ?? []) {
      try {
        for (const h of await registerPaths([p], 'cli')) preopenedIds.push(h.id);
      } catch (err) {
        push({ type: 'error', error: toErrorInfo(err) });
      }
    }
  })();

  async function samples(): Promise<Sample[]> {
    if (samplesCache) return samplesCache;
    const dir = join(opts.resourcesDir, 'samples');
    const out: Sample[] = [];
    let names: string[] = [];
    try {
      names = (await readdir(dir)).sort();
    } catch {
      names = [];
    }
    for (const n of names) {
      if (n.startsWith('.') || !SAMPLE_EXT.has(extname(n).toLowerCase())) continue;
      const p = join(dir, n);
      const s = await stat(p);
      if (!s.isFile()) continue;
      out.push({ id: n, name: n, bytes: s.size, description: describeSample(n), path: p });
    }
    samplesCache = out;
    return out;
  }

  /** Column mappings the analyst chose for unknown layouts, by header signature. A damaged file counts as none. */
  async function loadMappings(): Promise<Record<string, GenericMapping>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(join(opts.userDataDir, MAPPINGS_FILE), 'utf8'));
      const out: Record<string, GenericMapping> = Object.create(null) as Record<string, GenericMapping>;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return out;
      for (const [sig, m] of Object.entries(parsed as Record<string, unknown>)) {
        if (validateRequest('files.setMapping', { signature: sig, mapping: m }).ok) out[sig] = m as GenericMapping;
      }
      return out;
    } catch {
      return Object.create(null) as Record<string, GenericMapping>;
    }
  }

  function saveMapping(signature: string, mapping: GenericMapping): Promise<void> {
    const next = mappingWrite.then(async () => {
      const all = await loadMappings();
      delete all[signature];
      const entries = [...Object.entries(all), [signature, mapping] as const].slice(-MAX_MAPPINGS);
      await mkdir(opts.userDataDir, { recursive: true });
      await replaceFileDurable(nodeCaseFs, opts.userDataDir, MAPPINGS_FILE, JSON.stringify(Object.fromEntries(entries), null, 1), 0o600);
    });
    mappingWrite = next.catch(() => undefined);
    return next;
  }

  async function loadRecent(): Promise<Array<RecentItem & { fullPath: string }>> {
    if (recentCache) return recentCache;
    try {
      const parsed: unknown = JSON.parse(await readFile(join(opts.userDataDir, RECENT_FILE), 'utf8'));
      recentCache = Array.isArray(parsed)
        ? parsed
            .filter(
              (r): r is RecentItem & { fullPath: string } =>
                typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.fullPath === 'string' &&
                typeof r.name === 'string' && typeof r.openedAt === 'string' && (r.kind === 'file' || r.kind === 'case'),
            )
            .map((r) => ({ kind: r.kind, name: r.name, path: r.fullPath, id: r.id, openedAt: r.openedAt, fullPath: r.fullPath }))
            .slice(0, MAX_RECENT)
        : [];
    } catch {
      recentCache = [];
    }
    return recentCache;
  }

  /** Atomic replace: write a temp file next to it, then rename over it. Serialised so writes never interleave. */
  function saveRecent(items: Array<RecentItem & { fullPath: string }>): Promise<void> {
    recentWrite = recentWrite.then(async () => {
      const body = JSON.stringify(items.map(({ kind, name, id, openedAt, fullPath }) => ({ kind, name, id, openedAt, fullPath })), null, 2);
      await replaceFileDurable(nodeCaseFs, opts.userDataDir, RECENT_FILE, body, 0o600);
    }).catch(() => undefined);
    return recentWrite;
  }

  async function remember(inputs: CaseInput[]): Promise<void> {
    const list = await loadRecent();
    const now = new Date().toISOString();
    let next = [...list];
    for (const inp of inputs) {
      next = next.filter((r) => r.fullPath !== inp.path);
      next.unshift({ kind: 'file', name: inp.name, path: inp.path, id: randomBytes(12).toString('hex'), openedAt: now, fullPath: inp.path });
    }
    recentCache = next.slice(0, MAX_RECENT);
    await saveRecent(recentCache);
  }

  /** `takeOver`: the analyst confirmed taking the case's lock from another Hopscope (issue 16 item 7). */
  function startJob(inputs: CaseInput[], rememberInputs: CaseInput[], takeOver = false): { jobId: string } {
    if (job) job.run.cancel();
    // The engine is reset by the new job: the previous case is gone whatever happens next.
    lastSummary = null;
    const jobId = randomBytes(8).toString('hex');
    const progress = (p: Omit<IngestProgress, 'jobId'>): void => push({ type: 'progress', progress: { jobId, ...p } });
    /** Files of this job that wait for the analyst's column mapping. */
    const awaitingMapping: string[] = [];
    const launch = async (): Promise<void> => {
      const rules = await ruleSources();
      if (cancelledEarly) throw new HopscopeError('E_CANCELLED', 'opening the case was cancelled');
      const mappings = await loadMappings();
      if (cancelledEarly) throw new HopscopeError('E_CANCELLED', 'opening the case was cancelled');
      const run = runCaseJob(engine, {
        evidence: inputs,
        rules,
        binSpanSec,
        mappings,
        onNeedsMapping: (input, info) => {
          awaitingMapping.push(input.name);
          const handle = [...handles.values()].find((h) => h.path === input.path)?.handle.id;
          push({ type: 'needs-mapping', file: input.name, ...(handle ? { handle } : {}), ...info });
        },
        skipUnreadable: true,
        onProgress: progress,
        onPartial: (summary) => {
          if (job?.id === jobId) push({ type: 'case-partial', jobId, summary });
        },
        // A skipped file is a notice, not the job's failure: renderers end the job on an error carrying its jobId.
        onEvidenceError: (_input, error) => push({ type: 'error', error }),
      });
      if (job?.id === jobId) job.run = run;
      const result = await run.promise;
      if (job?.id !== jobId) return;
      if (result.evidence.length === 0) {
        // A file waiting for its column mapping is not a failure to report as one: the dialog asks for it.
        throw new HopscopeError(
          'E_FORMAT',
          awaitingMapping.length > 0
            ? `${awaitingMapping.join(', ')}: no known layout yet; choose which columns are which in the dialog to open ${awaitingMapping.length === 1 ? 'it' : 'them'}`
            : 'none of the files could be opened',
        );
      }
      try {
        const store = await cases.openForEvidence(
          result.evidence.map((e) => ({ path: e.input.path, name: e.input.name, bytes: e.bytes, sha256: e.sha256, format: e.ingest.format })),
          { rules: result.rules.rules, params: rules },
          binSpanSec,
          takeOver,
        );
        // A damaged journal was repaired: the analyst hears what was recovered and what was lost, and where the old one is.
        const lost = journalDamageNotice(store.loadReport);
        if (lost) push({ type: 'error', error: { code: 'E_CASE', message: lost, ...(store.loadReport.damagedJournal ? { location: { file: store.loadReport.damagedJournal } } : {}) } });
      } catch (err) {
        // The evidence is still viewable; annotating will say why it cannot be saved.
        push({ type: 'error', error: toErrorInfo(err) });
      }
      if (job?.id !== jobId) return;
      lastSummary = result.summary;
      lastRules = rules;
      // The case's clock corrections (never applied unless the analyst set them) move its events before anyone looks,
      // and its host table names movement sources: one detection run for both.
      const restoreClock = (cases.current?.doc.clock?.length ?? 0) > 0;
      const restoreHosts = (cases.current?.doc.hostTable?.length ?? 0) > 0;
      if (lastSummary && (restoreClock || restoreHosts)) {
        lastSummary = await (async () => {
          if (restoreHosts) await engine.call('hostTable', { entries: cases.current!.doc.hostTable! }).promise;
          return restoreClock ? syncClock() : redetect();
        })().catch((err: unknown) => {
          push({ type: 'error', error: toErrorInfo(err) });
          return lastSummary;
        });
        result.summary = lastSummary;
      }
      // The case is usable from here on: clear the job before telling the renderer, so its next call is not refused.
      job = null;
      // Read warnings (the file changed while read, it gave no records) travel in the summary's evidence, which the
      // renderer shows as warnings and a reopened case keeps; pushing them as errors too showed each one twice.
      if (result.summary) push({ type: 'case-ready', summary: result.summary });
      if (rememberInputs.length) void remember(rememberInputs.filter((i) => result.evidence.some((o) => o.input === i))).catch(() => undefined);
    };
    let cancelledEarly = false;
    job = { id: jobId, run: { promise: Promise.resolve(null as never), cancel: () => { cancelledEarly = true; } } };
    launch()
      .catch((err: unknown) => {
        const info = toErrorInfo(err);
        if (info.code === 'E_CANCELLED' || cancelledEarly) {
          progress({ phase: 'cancelled', bytesDone: 0, bytesTotal: 0, records: 0, rejected: 0, rate: 0 });
        } else {
          progress({ phase: 'failed', bytesDone: 0, bytesTotal: 0, records: 0, rejected: 0, rate: 0 });
          push({ type: 'error', jobId, error: info });
        }
      })
      .finally(() => {
        if (job?.id === jobId) job = null;
      });
    return { jobId };
  }

  function handleInputs(ids: string[]): CaseInput[] {
    return ids.map((id) => {
      const r = handles.get(id);
      if (!r) throw new HopscopeError('E_SECURITY', 'unknown evidence handle');
      // An upload is a temporary copy: the case names it by the name the analyst opened and where it came from.
      return { path: r.path, name: r.handle.name, ...(r.how === 'upload' ? { origin: UPLOAD_ORIGIN } : {}) };
    });
  }

  function requireCase(): void {
    if (job) throw new HopscopeError('E_USAGE', 'the case is still opening');
    if (!lastSummary || !lastRules) throw new HopscopeError('E_USAGE', 'no case is open');
  }

  /** An open case whose folder could be opened for saving (else the earlier pushed error says why). */
  function requireSavedCase(): void {
    if (job || !lastSummary) throw new HopscopeError('E_USAGE', 'no case is open');
    if (!cases.current) throw new HopscopeError('E_CASE', 'the case folder could not be opened, so nothing can be saved (see the earlier error)');
  }

  let ruleWrite: Promise<unknown> = Promise.resolve();

  /** Built-in rules, then the user's rule folders (`<userDataDir>/rules`, `<userDataDir>/sigma`, and any given). */
  async function ruleSources(): Promise<LoadRulesParams> {
    return collectRuleFiles({
      builtinDir: join(opts.resourcesDir, 'rules'),
      rulePaths: [...(opts.ruleDirs ?? []), ...(await existing(join(opts.userDataDir, 'rules')))],
      sigmaPaths: [...(opts.sigmaDirs ?? []), ...(await existing(join(opts.userDataDir, 'sigma')))],
    });
  }

  /**
   * Saves rule files the analyst picked into `<userDataDir>/sigma` or `<userDataDir>/rules`, where every case finds
   * them. A file whose exact text is already there is not saved twice; a different file of the same name gets a
   * numbered name. Nothing is saved unless every file is acceptable.
   */
  async function addRules(files: RuleFileUpload[]): Promise<RulesAddResult> {
    if (files.length === 0) throw new HopscopeError('E_USAGE', 'rules.add needs at least one file');
    if (files.length > MAX_RULE_UPLOAD_FILES) throw new HopscopeError('E_USAGE', `at most ${MAX_RULE_UPLOAD_FILES} rule files at once`);
    for (const f of files) {
      if (!RULE_FILE_NAME.test(f.name)) {
        throw new HopscopeError('E_USAGE', `rule file name ${JSON.stringify(f.name.slice(0, 80))} is not accepted: letters, digits, space and . _ ( ) + - only, ending in .yml, .yaml or .conf`);
      }
    }
    const added: RulesAddResult['added'] = [];
    for (const f of files) {
      const kind = ruleFileKind(f.name, f.text);
      const dir = join(opts.userDataDir, kind === 'sigma' ? 'sigma' : 'rules');
      await mkdir(dir, { recursive: true });
      const ext = extname(f.name);
      const stem = f.name.slice(0, -ext.length);
      let saved: string | null = null;
      for (let n = 1; n <= 1000 && saved === null; n++) {
        const name = n === 1 ? f.name : `${stem}-${n}${ext}`;
        const target = join(dir, name);
        let present: string | null = null;
        try {
          present = await readFile(target, 'utf8');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new HopscopeError('E_IO', `cannot read '${name}': ${(err as NodeJS.ErrnoException).code ?? 'EIO'}`, { file: target });
        }
        if (present === f.text) saved = name;
        else if (present === null) {
          await replaceFileDurable(nodeCaseFs, dir, name, f.text, 0o600);
          saved = name;
        }
      }
      if (saved === null) throw new HopscopeError('E_USAGE', `too many rule files named like ${JSON.stringify(f.name)}`);
      added.push({ name: saved, kind });
    }
    return { added };
  }

  async function rescan(req: RescanRequest): Promise<CaseSummary> {
    requireCase();
    if (req.reloadRules) {
      // Rules the analyst switched off stay off; rules new to the set run.
      const off = new Set(lastSummary!.rules.filter((r) => r.enabled === false).map((r) => r.id));
      const fresh = await ruleSources();
      let loaded = await engine.call('loadRules', fresh).promise;
      lastRules = fresh;
      if (off.size > 0) {
        lastRules = { ...fresh, enabledIds: loaded.rules.map((r) => r.id).filter((id) => !off.has(id)) };
        loaded = await engine.call('loadRules', lastRules).promise;
      }
      // The case records the rule set it now runs (ids, versions, file hashes), as when it was opened.
      const store = cases.current;
      if (store) {
        const refs = ruleRefs(loaded.rules, lastRules);
        if (refs.ruleSetSha256 !== store.doc.ruleSetSha256 || JSON.stringify(refs.rules) !== JSON.stringify(store.doc.rules)) {
          await store.apply({ kind: 'rules', rules: refs.rules, ruleSetSha256: refs.ruleSetSha256 }).catch((err: unknown) => push({ type: 'error', error: toErrorInfo(err) }));
        }
      }
    }
    if (req.enabledRuleIds) {
      lastRules = { ...lastRules!, enabledIds: req.enabledRuleIds };
      await engine.call('loadRules', lastRules).promise;
    }
    if (req.binSpanSec !== undefined) {
      binSpanSec = req.binSpanSec;
      await cases.current?.apply({ kind: 'settings', settings: { binSpanSec } }).catch((err: unknown) => push({ type: 'error', error: toErrorInfo(err) }));
    }
    await engine.call('detect', { binSpanSec }).promise;
    const summary = await engine.call('summary', {}).promise;
    if (!summary) throw new HopscopeError('E_CASE', 'the case is gone (engine restarted)');
    lastSummary = summary;
    push({ type: 'case-ready', summary });
    return summary;
  }

  /** Hands the case's clock corrections to the engine (by evidence index), runs detection, returns the new summary. */
  async function syncClock(): Promise<CaseSummary> {
    const refs = cases.current?.doc.clock ?? [];
    const index = new Map((lastSummary?.evidence ?? []).map((e) => [e.sha256, Number(e.id.slice(3))]));
    const corrections = refs.flatMap((c) => (index.has(c.sha256) ? [{ evidence: index.get(c.sha256)!, offsetMs: c.offsetMs, ...(c.field !== undefined ? { field: c.field } : {}) }] : []));
    await engine.call('clock', { corrections }).promise;
    await engine.call('detect', { binSpanSec }).promise;
    const summary = await engine.call('summary', {}).promise;
    if (!summary) throw new HopscopeError('E_CASE', 'the case is gone (engine restarted)');
    return summary;
  }

  /** Runs detection again (the case's state in the engine changed), returns the new summary. */
  async function redetect(): Promise<CaseSummary> {
    await engine.call('detect', { binSpanSec }).promise;
    const summary = await engine.call('summary', {}).promise;
    if (!summary) throw new HopscopeError('E_CASE', 'the case is gone (engine restarted)');
    return summary;
  }

  /** Replaces the case's IP -> host table: saved in the case first, then handed to the engine, detection runs again. */
  async function setHostTable(req: Req<'case.setHostTable'>): Promise<CaseSummary> {
    requireSavedCase();
    const entries = checkHostTable(req.entries);
    await cases.current!.apply({ kind: 'hostTable', entries });
    await engine.call('hostTable', { entries }).promise;
    const summary = await redetect();
    lastSummary = summary;
    push({ type: 'case-ready', summary });
    return summary;
  }

  async function setClock(req: Req<'case.setClock'>): Promise<CaseSummary> {
    requireSavedCase();
    if (!lastSummary!.evidence.some((e) => e.sha256 === req.sha256)) throw new HopscopeError('E_USAGE', 'no evidence with that SHA-256 in the case');
    await cases.current!.apply({ kind: 'clock', sha256: req.sha256, ...(req.field !== undefined ? { field: req.field } : {}), offsetMs: req.offsetMs === 0 ? null : req.offsetMs });
    const summary = await syncClock();
    lastSummary = summary;
    push({ type: 'case-ready', summary });
    return summary;
  }

  /** The report of the open case with the analyst's annotations, when there are any. */
  async function reportBytes(format: ReportFormat, findingIds?: string[]): Promise<Uint8Array> {
    const annotations = cases.current?.doc.annotations ?? emptyDoc();
    const hasNotes = Object.keys(annotations.findings).length > 0 || Object.keys(annotations.events).length > 0;
    const res = await engine.call('report', {
      format,
      generator: `Hopscope ${opts.version ?? '0.1.0'} (${opts.mode})`,
      ...(hasNotes ? { annotations } : {}),
      ...(findingIds ? { findingIds } : {}),
    }).promise;
    return new Uint8Array(res.bytes);
  }

  /** What the engine last got for annotation filter terms, and for which case (a new case starts empty there). */
  let sentAnnotations: { summary: CaseSummary | null; doc: AnnotationDoc } | null = null;

  /** Hands the case's notes to the engine once per change (documents are immutable, so identity is enough). */
  async function syncAnnotations(): Promise<void> {
    const doc = cases.current?.doc.annotations;
    if (!doc || !lastSummary) return;
    if (sentAnnotations && sentAnnotations.summary === lastSummary && sentAnnotations.doc === doc) return;
    await engine.call('annotations', { doc }).promise;
    sentAnnotations = { summary: lastSummary, doc };
  }

  /** A bulk annotation as the changes it stands for: every edit on every finding, then on every event of the scope. */
  async function bulkChanges(bulk: BulkAnnotation): Promise<AnnotationChange[]> {
    const targets: AnnotationTarget[] = (bulk.findingIds ?? []).map((id) => ({ kind: 'finding', id }));
    if (bulk.events) {
      await syncAnnotations();
      const { total, keys } = await engine.call('eventKeys', { scope: bulk.events, max: BULK_MAX_EVENTS }).promise;
      if (total > BULK_MAX_EVENTS) {
        throw new HopscopeError('E_USAGE', `the filter matches ${total} events; annotate at most ${BULK_MAX_EVENTS} at once (narrow the filter or the time range)`);
      }
      for (const id of keys) targets.push({ kind: 'event', id });
    }
    if (targets.length === 0) throw new HopscopeError('E_USAGE', 'nothing selected to annotate');
    return targets.flatMap((target) => bulk.edits.map((e) => ({ ...e, target, atIso: bulk.atIso }) as AnnotationChange));
  }

  /** Paths an export must never be written over: every registered file and the open case's evidence. */
  function evidencePaths(): string[] {
    return [...[...handles.values()].map((h) => h.path), ...(cases.current?.doc.evidence ?? []).map((e) => e.path)];
  }

  /** A cheap first check by name (case-insensitive where the file system is); writeOutputFile then compares inodes. */
  function isEvidencePath(target: string): boolean {
    const abs = resolve(target);
    const same = (p: string): boolean => (process.platform === 'win32' || process.platform === 'darwin' ? resolve(p).toLowerCase() === abs.toLowerCase() : resolve(p) === abs);
    return evidencePaths().some(same);
  }

  async function exportReport(format: ExportFormat | 'pdf', findingIds?: string[]): Promise<ExportResponse> {
    requireCase();
    if (format === 'pdf' && !(opts.mode === 'electron' && opts.chooseSavePath && opts.printToPdf)) {
      throw new HopscopeError('E_USAGE', 'PDF export needs the desktop app; here, export the HTML report and print it from the browser');
    }
    const bytes = format === 'pdf' ? await opts.printToPdf!(new TextDecoder().decode(await reportBytes('html', findingIds))) : await reportBytes(format, findingIds);
    const fileName = findingIds ? `hopscope-findings.${format}` : `hopscope-report.${format}`;
    return deliver(fileName, EXPORT_MIME[format], bytes);
  }

  /** The events of a table scope as CSV (at most EXPORT_MAX_EVENTS; beyond, the analyst narrows the scope). */
  async function exportEvents(scope: EventScope, columns: string[]): Promise<ExportResponse> {
    requireCase();
    const { total, text } = await engine.call('eventsCsv', { scope, columns, max: EXPORT_MAX_EVENTS }).promise;
    if (text === null) {
      throw new HopscopeError('E_USAGE', `${total.toLocaleString('en-US')} events match; one export takes at most ${EXPORT_MAX_EVENTS.toLocaleString('en-US')}: narrow the filter, the time range or the hosts`);
    }
    return deliver('hopscope-events.csv', EXPORT_MIME.csv, new TextEncoder().encode(text));
  }

  /** Electron: the save dialog, then the host writes the file (never over evidence). Browser mode: the text, to download. */
  async function deliver(fileName: string, mime: string, bytes: Uint8Array): Promise<ExportResponse> {
    const out: ExportResponse = { fileName, mime, bytes: bytes.byteLength };
    if (opts.mode === 'electron' && opts.chooseSavePath) {
      const target = await opts.chooseSavePath(fileName);
      if (target && isEvidencePath(target)) throw new HopscopeError('E_SECURITY', 'an export must not overwrite evidence', { file: target });
      if (target) await writeOutputFile(target, bytes, { protect: evidencePaths() });
      out.savedTo = target;
    } else {
      // ignoreBOM: a CSV's byte-order mark (Excel reads UTF-8 by it) stays in the text the renderer downloads.
      out.text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    }
    return out;
  }

  async function dispatch<C extends Channel>(channel: C, req: Req<C>): Promise<Res<C>> {
    const r = req as never;
    switch (channel) {
      case 'app.info': {
        const info: AppInfo = {
          name: 'Hopscope',
          version: opts.version ?? '0.1.0',
          mode: opts.mode,
          samples: (await samples()).map(({ id, name, bytes, description }) => ({ id, name, bytes, description })),
        };
        return info as Res<C>;
      }
      case 'files.recent':
        return (await loadRecent()).map(({ kind, name, path, id, openedAt }) => ({ kind, name, path, id, openedAt })) as Res<C>;
      case 'files.pick': {
        if (opts.mode !== 'electron' || !opts.pickFiles) return [] as Res<C>;
        const out: EvidenceHandle[] = [];
        out.push(...(await registerPaths(await opts.pickFiles((r as Req<'files.pick'>).folder === true), 'picked')));
        return out as Res<C>;
      }
      case 'files.preopened':
        await ready;
        return preopenedIds.map((id) => handles.get(id)!.handle) as Res<C>;
      case 'case.open': {
        const { handles: ids, takeOver } = r as Req<'case.open'>;
        if (ids.length === 0) throw new HopscopeError('E_USAGE', 'no evidence to open');
        const inputs = handleInputs(ids);
        // Uploads live in a temp folder that disappears with the server: not worth remembering.
        const rememberable = inputs.filter((_inp, i) => handles.get(ids[i]!)!.how !== 'upload');
        return startJob(inputs, rememberable, takeOver === true) as Res<C>;
      }
      case 'case.openSample': {
        const { id, takeOver } = r as Req<'case.openSample'>;
        const s = (await samples()).find((x) => x.id === id);
        if (!s) throw new HopscopeError('E_USAGE', 'unknown sample');
        return startJob([{ path: s.path, name: s.name }], [], takeOver === true) as Res<C>;
      }
      case 'case.openRecent': {
        const { id, takeOver } = r as Req<'case.openRecent'>;
        const item = (await loadRecent()).find((x) => x.id === id);
        if (!item) throw new HopscopeError('E_USAGE', 'unknown recent item');
        const h = await registerPath(item.fullPath, 'picked');
        return startJob([{ path: item.fullPath, name: h.name }], [{ path: item.fullPath, name: h.name }], takeOver === true) as Res<C>;
      }
      case 'case.cancel': {
        const { jobId } = r as Req<'case.cancel'>;
        if (!job || job.id !== jobId) return { cancelled: false } as Res<C>;
        job.run.cancel();
        return { cancelled: true } as Res<C>;
      }
      case 'case.summary':
        return (lastSummary ? await engine.call('summary', {}).promise : null) as Res<C>;
      case 'query.timeline':
        await syncAnnotations();
        return (await engine.call('timeline', r as Req<'query.timeline'>).promise) as Res<C>;
      case 'query.rows':
        await syncAnnotations();
        return (await engine.call('rows', r as Req<'query.rows'>).promise) as Res<C>;
      case 'query.event':
        return (await engine.call('event', r as Req<'query.event'>).promise) as Res<C>;
      case 'query.processTree':
        return (await engine.call('processTree', r as Req<'query.processTree'>).promise) as Res<C>;
      case 'query.findings':
        return (await engine.call('findings', r as Req<'query.findings'>).promise) as Res<C>;
      case 'files.setMapping': {
        const { signature, mapping } = r as Req<'files.setMapping'>;
        await saveMapping(signature, mapping);
        return { ok: true } as Res<C>;
      }
      case 'query.explain':
        return (await engine.call('explain', r as Req<'query.explain'>).promise) as Res<C>;
      case 'case.export':
        return (await exportReport((r as Req<'case.export'>).format, (r as Req<'case.export'>).findingIds)) as Res<C>;
      case 'case.exportEvents':
        return (await exportEvents((r as Req<'case.exportEvents'>).scope, (r as Req<'case.exportEvents'>).columns)) as Res<C>;
      case 'case.rescan':
        return (await rescan(r as Req<'case.rescan'>)) as Res<C>;
      case 'rules.add': {
        // One at a time: two requests naming the same file must not both find its name free.
        const next = ruleWrite.then(() => addRules((r as Req<'rules.add'>).files));
        ruleWrite = next.catch(() => undefined);
        return (await next) as Res<C>;
      }
      case 'case.annotations':
        if (!lastSummary) throw new HopscopeError('E_USAGE', 'no case is open');
        return (cases.current?.doc.annotations ?? emptyDoc()) as Res<C>;
      case 'case.annotate': {
        requireSavedCase();
        const { changes, bulk } = r as Req<'case.annotate'>;
        if ((changes === undefined) === (bulk === undefined)) throw new HopscopeError('E_USAGE', 'case.annotate takes either changes or bulk');
        return (await cases.annotate(changes ?? (await bulkChanges(bulk!)))) as Res<C>;
      }
      case 'settings.get':
        return (await cases.settings()) as Res<C>;
      case 'settings.set': {
        const req = r as Req<'settings.set'>;
        const out = await cases.setSettings(req);
        if (req.binSpanSec !== undefined) binSpanSec = req.binSpanSec;
        return out as Res<C>;
      }
      case 'case.verifyEvidence':
        requireSavedCase();
        return (await cases.verify()) as Res<C>;
      case 'case.relocate': {
        requireSavedCase();
        const { sha256, handle } = r as Req<'case.relocate'>;
        const h = handles.get(handle);
        if (!h) throw new HopscopeError('E_SECURITY', 'unknown evidence handle');
        return (await cases.relocate(sha256, h.path)) as Res<C>;
      }
      case 'case.recent':
        return (await cases.recent()).map(({ id, name, dir, openedAt, evidence }) => ({ id, name, dir, openedAt, evidence })) as Res<C>;
      case 'case.reopen': {
        const { id, relocate, takeOver } = r as Req<'case.reopen'>;
        const item = (await cases.recent()).find((x) => x.id === id);
        if (!item) throw new HopscopeError('E_USAGE', 'unknown recent case');
        for (const m of relocate ?? []) {
          const h = handles.get(m.handle);
          if (!h) throw new HopscopeError('E_SECURITY', 'unknown evidence handle');
          await cases.relocateIn(item.dir, m.sha256, h.path, takeOver === true);
        }
        const { doc, checks } = await cases.inspect(item.dir);
        if (doc.evidence.length === 0 || checks.some((c) => c.status !== 'ok')) return { jobId: null, checks } as Res<C>;
        const inputs: CaseInput[] = [];
        for (const e of doc.evidence) inputs.push({ path: e.path, name: (await registerPath(e.path, 'picked')).name });
        return { ...startJob(inputs, [], takeOver === true), checks } as Res<C>;
      }
      case 'case.view':
        if (!lastSummary) throw new HopscopeError('E_USAGE', 'no case is open');
        return { view: cases.current?.doc.view ?? null } as Res<C>;
      case 'case.setClock':
        return (await setClock(r as Req<'case.setClock'>)) as Res<C>;
      case 'case.setHostTable':
        return (await setHostTable(r as Req<'case.setHostTable'>)) as Res<C>;
      case 'case.hostTable':
        if (!lastSummary) throw new HopscopeError('E_USAGE', 'no case is open');
        return { entries: cases.current?.doc.hostTable ?? [] } as Res<C>;
      case 'case.saveView':
        requireSavedCase();
        await cases.setView((r as Req<'case.saveView'>).view);
        return { ok: true } as Res<C>;
      default:
        throw new HopscopeError('E_PROTOCOL', `channel ${String(channel)} is not implemented`);
    }
  }

  return {
    mode: opts.mode,
    ready,
    async call(channel: string, req: unknown): Promise<unknown> {
      const v = validateRequest(channel, req);
      if (!v.ok) throw new HopscopeError(v.error.code, v.error.message, v.error.location);
      try {
        return await dispatch(v.channel, v.req);
      } catch (err) {
        if (err instanceof HopscopeError) throw err;
        const info = toErrorInfo(err);
        throw new HopscopeError(info.code, info.message, info.location);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    registerPath,
    registerPaths,
    report: (format) => reportBytes(format),
    async close(): Promise<void> {
      if (job) job.run.cancel();
      listeners.clear();
      await recentWrite;
      await cases.close().catch(() => undefined);
      await mappingWrite;
      if (!opts.engine) await engine.close();
    },
  };
}
