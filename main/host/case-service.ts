// The open case as the host sees it: one durable case folder per evidence set (`<userDataDir>/cases/<key>`),
// its annotations, evidence verification and relocation, recent cases and the analyst's settings.
// Invariant: every change goes through the case store (journal fsync'ed before it is acknowledged); no write targets evidence.

import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { eventAnnotationKey, type AnnotationChange, type AnnotationDoc } from '../../engine/case/annotations.ts';
import { createAnnotationStore } from './annotation-store.ts';
import { HopscopeError } from '../../engine/model/errors.ts';
import type { LoadRulesParams } from '../../engine/rpc/protocol.ts';
import type { RuleMeta } from '../../engine/rules/types.ts';
import { nodeCaseFs, type CaseFs } from './case/case-fs.ts';
import type { CaseDoc, CaseEvidenceRef, CaseRuleRef } from './case/case-doc.ts';
import { hashFile, relocateEvidence, verifyEvidence, type EvidenceCheck, type HashFile } from './case/evidence-check.ts';
import { loadRecentCases, rememberCase, type RecentCase } from './case/recent-cases.ts';
import { loadUserSettings, parseSettingsPatch, saveUserSettings, type UserSettings } from './case/user-settings.ts';
import { openCaseStore, readCase, type CaseStore } from './case-store.ts';

/** One key per set of evidence contents, whatever the order or file names. */
export function caseKey(sha256s: readonly string[]): string {
  const sorted = [...new Set(sha256s.map((s) => s.toLowerCase()))].sort();
  return createHash('sha256').update(sorted.join('\n'), 'utf8').digest('hex');
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The rule set as the case records it: id, version and a SHA-256 of each rule's source text, plus one for the whole set. */
export function ruleRefs(rules: readonly RuleMeta[], params?: LoadRulesParams): { rules: CaseRuleRef[]; ruleSetSha256: string | null } {
  const files = params ? [...params.files, ...params.macros, ...params.sigmaFiles] : [];
  const textByPath = new Map(files.map((f) => [f.path, f.text]));
  const refs = rules
    .map((r): CaseRuleRef => {
      const text = textByPath.get(r.source);
      return { id: r.id, version: r.version ?? null, sha256: r.contentSha256 ?? (text !== undefined ? sha256Hex(text) : null), source: r.source };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  let ruleSetSha256: string | null = null;
  if (files.length) {
    const h = createHash('sha256');
    for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) h.update(`${f.path}\n${sha256Hex(f.text)}\n`);
    ruleSetSha256 = h.digest('hex');
  }
  return { rules: refs, ruleSetSha256 };
}

/**
 * The changes that rebuild a document: how annotations saved by the earlier per-evidence-set store
 * (`<userDataDir>/annotations/<key>.json`) enter a new case, so no note is left behind.
 */
export function docToChanges(doc: AnnotationDoc, atIso: string): AnnotationChange[] {
  const out: AnnotationChange[] = [];
  for (const kind of ['findings', 'events'] as const) {
    for (const id of Object.keys(doc[kind]).sort()) {
      const a = doc[kind][id]!;
      const target = { kind: kind === 'findings' ? 'finding' : 'event', id } as const;
      const at = a.updatedAtIso ?? atIso;
      for (const c of a.comments) out.push({ op: 'addComment', target, atIso: c.atIso, author: c.author, text: c.text });
      for (const tag of a.tags) out.push({ op: 'addTag', target, atIso: at, tag });
      if (a.status !== 'new') out.push({ op: 'setStatus', target, atIso: at, status: a.status });
      if (a.star) out.push({ op: 'setStar', target, atIso: at, star: true });
    }
  }
  return out;
}

/**
 * An event may also be named as `{ kind: 'event', sha256, record }` (what the renderer knows from event
 * details); it becomes the stable key `eventAnnotationKey(sha256, record)`. Anything else passes unchanged
 * to the annotation model, which validates it.
 */
export function normalizeChange(change: AnnotationChange): AnnotationChange {
  const t = (change as { target?: unknown }).target as Record<string, unknown> | undefined;
  if (!t || typeof t !== 'object' || t['kind'] !== 'event' || t['id'] !== undefined) return change;
  const sha = t['sha256'];
  const record = t['record'];
  if (typeof sha !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha) || typeof record !== 'number' || !Number.isSafeInteger(record) || record < 1) {
    throw new HopscopeError('E_CASE', 'an event target needs an id, or a sha256 and a record number');
  }
  return { ...change, target: { kind: 'event', id: eventAnnotationKey(sha, record) } };
}

export interface OpenedEvidence {
  path: string;
  name: string;
  bytes: number;
  sha256: string;
  format: string;
}

export interface CaseServiceOptions {
  userDataDir: string;
  fs?: CaseFs;
  compactEvery?: number;
  hash?: HashFile;
  /** Paths no case file may be written over (registered evidence), besides the case's own evidence. */
  protectedPaths?: () => Iterable<string>;
}

export interface EffectiveSettings extends UserSettings {
  /** True when binSpanSec / timeZone come from the open case rather than the analyst's defaults. */
  fromCase: boolean;
}

export interface CaseService {
  readonly current: CaseStore | null;
  /** Open (or create) the case of this evidence set and record evidence, rules and bin span in it. */
  /** `takeOver`: take the case's lock even from a live-looking other Hopscope (the analyst confirmed it; E_CASE_LOCKED otherwise). */
  openForEvidence(
    evidence: readonly OpenedEvidence[],
    rules: { rules: readonly RuleMeta[]; params?: LoadRulesParams },
    binSpanSec: number,
    takeOver?: boolean,
  ): Promise<CaseStore>;
  /** Read a case folder (read-only) and check its evidence: the first step of reopening a recent case. */
  inspect(dir: string): Promise<{ doc: CaseDoc; checks: EvidenceCheck[] }>;
  annotations(): AnnotationDoc;
  annotate(changes: AnnotationChange[]): Promise<AnnotationDoc>;
  setView(view: unknown): Promise<void>;
  verify(): Promise<EvidenceCheck[]>;
  relocate(oldPathOrSha256: string, newPath: string): Promise<EvidenceCheck>;
  settings(): Promise<EffectiveSettings>;
  setSettings(patch: Record<string, unknown>): Promise<EffectiveSettings>;
  recent(): Promise<RecentCase[]>;
  /** Relocate evidence in a case that is not open (before reopening it); the case is locked meanwhile. */
  relocateIn(dir: string, oldPathOrSha256: string, newPath: string, takeOver?: boolean): Promise<EvidenceCheck>;
  /** Forget the open case (the engine was reset); waits for pending writes. */
  close(): Promise<void>;
}

function sameEvidence(a: CaseEvidenceRef, b: OpenedEvidence): boolean {
  return a.sha256 === b.sha256 && a.path === b.path && a.name === b.name && a.bytes === b.bytes && a.format === b.format;
}

export function createCaseService(opts: CaseServiceOptions): CaseService {
  const fs = opts.fs ?? nodeCaseFs;
  const hash = opts.hash ?? hashFile;
  let current: CaseStore | null = null;

  const requireCase = (): CaseStore => {
    if (!current) throw new HopscopeError('E_USAGE', 'no case is open');
    return current;
  };

  async function closeCurrent(): Promise<void> {
    const c = current;
    current = null;
    await c?.close();
  }

  async function effective(): Promise<EffectiveSettings> {
    const user = await loadUserSettings(opts.userDataDir, fs);
    if (!current) return { ...user, fromCase: false };
    return { ...user, binSpanSec: current.doc.settings.binSpanSec, timeZone: current.doc.settings.timeZone, fromCase: true };
  }

  return {
    get current() {
      return current;
    },

    async openForEvidence(evidence, rules, binSpanSec, takeOver) {
      await closeCurrent();
      const dir = join(resolve(opts.userDataDir), 'cases', caseKey(evidence.map((e) => e.sha256)));
      const user = await loadUserSettings(opts.userDataDir, fs);
      const store = await openCaseStore({
        dir,
        fs,
        lock: true,
        ...(takeOver ? { takeOverLock: true } : {}),
        ...(opts.compactEvery !== undefined ? { compactEvery: opts.compactEvery } : {}),
        initialSettings: { binSpanSec, timeZone: user.timeZone },
        protectedPaths: () => [...evidence.map((e) => e.path), ...(opts.protectedPaths?.() ?? [])],
      });
      try {
        if (store.loadReport.created) {
          const legacy = await createAnnotationStore(join(opts.userDataDir, 'annotations'))
            .load(caseKey(evidence.map((e) => e.sha256)))
            .catch(() => null);
          const changes = legacy ? docToChanges(legacy, new Date().toISOString()) : [];
          if (changes.length) await store.apply({ kind: 'annotate', changes });
        }
        // Only what changed becomes a journal line: reopening the same files adds nothing.
        const changed = evidence.filter((e) => !store.doc.evidence.some((r) => sameEvidence(r, e)));
        if (changed.length) {
          const now = new Date().toISOString();
          await store.apply({ kind: 'evidence', evidence: changed.map((e) => ({ path: resolve(e.path), name: e.name, bytes: e.bytes, sha256: e.sha256.toLowerCase(), format: e.format || 'unknown', addedAt: now })) });
        }
        const r = ruleRefs(rules.rules, rules.params);
        if (r.ruleSetSha256 !== store.doc.ruleSetSha256 || JSON.stringify(r.rules) !== JSON.stringify(store.doc.rules)) {
          await store.apply({ kind: 'rules', rules: r.rules, ruleSetSha256: r.ruleSetSha256 });
        }
        if (store.doc.settings.binSpanSec !== binSpanSec) await store.apply({ kind: 'settings', settings: { binSpanSec } });
      } catch (err) {
        // Not half-open: release the lock so a retry (or another window) can open it.
        await store.close();
        throw err;
      }
      current = store;
      const names = evidence.map((e) => e.name);
      await rememberCase(
        opts.userDataDir,
        { dir, name: names.length > 2 ? `${names.slice(0, 2).join(', ')} +${names.length - 2}` : names.join(', '), evidence: evidence.map((e) => ({ name: e.name, sha256: e.sha256 })) },
        fs,
      ).catch(() => undefined);
      return store;
    },

    async inspect(dir) {
      const read = await readCase(resolve(dir), fs);
      return { doc: read.doc, checks: await verifyEvidence(read.doc, hash) };
    },

    annotations: () => requireCase().doc.annotations,

    async annotate(changes) {
      if (changes.length === 0) return requireCase().doc.annotations;
      return (await requireCase().apply({ kind: 'annotate', changes: changes.map(normalizeChange) })).annotations;
    },

    async setView(view) {
      await requireCase().apply({ kind: 'view', view });
    },

    verify: () => verifyEvidence(requireCase().doc, hash),

    relocate: (oldPathOrSha256, newPath) => relocateEvidence(requireCase(), oldPathOrSha256, newPath, hash),

    settings: effective,

    async setSettings(patch) {
      const p = parseSettingsPatch(patch);
      const user = await loadUserSettings(opts.userDataDir, fs);
      await saveUserSettings(opts.userDataDir, { ...user, ...p }, fs);
      const caseSettings = { ...(p.binSpanSec !== undefined ? { binSpanSec: p.binSpanSec } : {}), ...(p.timeZone !== undefined ? { timeZone: p.timeZone } : {}) };
      if (current && Object.keys(caseSettings).length) await current.apply({ kind: 'settings', settings: caseSettings });
      return effective();
    },

    recent: () => loadRecentCases(opts.userDataDir, fs),

    async relocateIn(dir, oldPathOrSha256, newPath, takeOver) {
      const abs = resolve(dir);
      if (current?.dir === abs) return relocateEvidence(current, oldPathOrSha256, newPath, hash);
      const store = await openCaseStore({ dir: abs, fs, lock: true, ...(takeOver ? { takeOverLock: true } : {}), protectedPaths: () => opts.protectedPaths?.() ?? [] });
      try {
        return await relocateEvidence(store, oldPathOrSha256, newPath, hash);
      } finally {
        await store.close();
      }
    },

    close: closeCurrent,
  };
}
