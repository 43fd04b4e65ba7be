// Durable case persistence: a case folder holds `case.json` (snapshot) and `journal.ndjson` (one checksummed
// change per line). Invariant: a change is acknowledged only after its journal line is fsync'ed, and the
// in-memory state advances only then, so a crash or power loss at any step loses nothing acknowledged.

import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { HopscopeError } from '../../engine/model/errors.ts';
import { nodeCaseFs, type CaseFileHandle, type CaseFs } from './case/case-fs.ts';
import { replaceFileDurable } from './atomic-write.ts';
import { applyCaseOp, CASE_SCHEMA, emptyCaseDoc, parseCaseDoc, parseCaseOp, type CaseDoc, type CaseOp, type CaseSettings } from './case/case-doc.ts';

export const SNAPSHOT_FILE = 'case.json';
export const JOURNAL_FILE = 'journal.ndjson';
export const LOCK_FILE = 'case.lock';
const TEMP_FILE = /^\.?(?:case\.json|journal\.ndjson)\.[0-9a-f]+\.tmp$/;

export interface CaseLoadReport {
  /** True when the folder held no case yet. */
  created: boolean;
  snapshotSeq: number;
  /** Journal entries applied on top of the snapshot. */
  replayed: number;
  /** Journal lines not applied: a torn last line after a crash, or damage. */
  droppedLines: number;
  /** Lines that repeat an entry already read (same number, same change): applied once. */
  duplicateLines?: number;
  /** Entry numbers missing between the snapshot and the last entry read (their lines were damaged or lost). */
  missingEntries?: number;
  /** Entries read intact that could not be applied (they depended on a lost one). */
  unappliedEntries?: number;
  /** When the journal was damaged (anything but a torn last line), the old journal is kept here for the analyst. */
  damagedJournal?: string;
}

/** What a damaged journal cost, for the analyst (null when nothing but a torn last line was dropped). */
export function journalDamageNotice(r: CaseLoadReport): string | null {
  if (r.damagedJournal === undefined) return null;
  const lost: string[] = [];
  const bad = r.droppedLines - (r.unappliedEntries ?? 0);
  if (bad > 0) lost.push(`${bad} unreadable line(s) skipped`);
  if (r.missingEntries) lost.push(`${r.missingEntries} change(s) missing (notes, tags or settings saved in them are lost)`);
  if (r.unappliedEntries) lost.push(`${r.unappliedEntries} change(s) that depended on a lost one not applied`);
  if (r.duplicateLines) lost.push(`${r.duplicateLines} repeated line(s) applied once`);
  const what = lost.length ? lost.join('; ') : 'lines out of order, put back in order';
  return `the case journal was damaged: ${r.replayed} change(s) recovered; ${what}. The damaged journal is kept at ${r.damagedJournal || 'the case folder'}`;
}

export interface ReadCaseResult {
  doc: CaseDoc;
  seq: number;
  report: CaseLoadReport;
  /** Journal bytes up to the end of the last applied line (valid prefix). */
  journalValidBytes: number;
  journalBytes: number;
  /** Lines in the journal already covered by the snapshot (left over from an interrupted compaction). */
  staleLines: number;
  hasJournal: boolean;
}

export interface OpenCaseOptions {
  dir: string;
  fs?: CaseFs;
  /** Snapshot and start a fresh journal after this many journal entries (default 200). */
  compactEvery?: number;
  /** Paths no case write may target (the evidence files). */
  protectedPaths?: () => Iterable<string>;
  /** Settings of a case created by this call. */
  initialSettings?: Partial<CaseSettings>;
  /**
   * Hold `case.lock` while open, so a second window or process cannot append to the same journal
   * (two writers would interleave lines at the same offsets). A lock whose process is gone is taken over: gone means
   * its PID is not alive, or is alive but is another process (a different start time or boot, e.g. after a reboot).
   */
  lock?: boolean;
  /** Take the lock even from a live-looking owner (the analyst confirmed that Hopscope is gone). */
  takeOverLock?: boolean;
  /** How processes are identified (tests inject one). */
  processProbe?: ProcessProbe;
}

/** Case folders open in this process (a lock file cannot tell our own live stores from a crashed run's). */
const openHere = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds a lock: more than a PID, which a reboot or a long uptime hands to another process. */
export interface LockOwner {
  pid: number;
  /** Host name: a lock from another machine (a shared folder) cannot be checked here. */
  host?: string;
  /** Linux boot id: a lock from before the last reboot is stale whatever process has its PID now. */
  boot?: string;
  /** Start time of the process (Linux: clock ticks since boot, /proc/PID/stat field 22). */
  start?: string;
  at?: string;
}

/** Reads what identifies a running process; injectable for tests. */
export interface ProcessProbe {
  host(): string;
  boot(): string | undefined;
  /** Start time of `pid`, undefined when it cannot be read (not Linux, no such process). */
  start(pid: number): string | undefined;
  alive(pid: number): boolean;
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export const nodeProcessProbe: ProcessProbe = {
  host: () => hostname(),
  boot: () => readProc('/proc/sys/kernel/random/boot_id')?.trim() || undefined,
  start(pid) {
    const stat = readProc(`/proc/${pid}/stat`);
    if (!stat) return undefined;
    // Fields after the command name (in parentheses, which may hold spaces): state is field 3, starttime field 22.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19];
  },
  alive: processAlive,
};

/** This process as a lock owner. */
export function lockOwnerOf(pid: number, probe: ProcessProbe): LockOwner {
  const owner: LockOwner = { pid, host: probe.host() };
  const boot = probe.boot();
  if (boot) owner.boot = boot;
  const start = probe.start(pid);
  if (start) owner.start = start;
  return owner;
}

/**
 * Whether a lock's owner still runs: its PID is alive and, where the lock says so, on this host, in this boot, and
 * started when the lock's process did. A lock from another host is taken as live (it cannot be checked from here).
 */
export function lockOwnerAlive(owner: LockOwner, probe: ProcessProbe): boolean {
  if (owner.host !== undefined && owner.host !== probe.host()) return true;
  if (owner.boot !== undefined) {
    const boot = probe.boot();
    if (boot !== undefined && boot !== owner.boot) return false;
  }
  if (!probe.alive(owner.pid)) return false;
  if (owner.start !== undefined) {
    const start = probe.start(owner.pid);
    if (start !== undefined && start !== owner.start) return false;
  }
  return true;
}

async function takeLock(fs: CaseFs, dir: string, probe: ProcessProbe, takeOver: boolean): Promise<void> {
  const path = join(dir, LOCK_FILE);
  if (openHere.has(dir)) throw new HopscopeError('E_CASE', 'the case is already open in this Hopscope', { file: dir });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const h = await fs.create(path);
      try {
        await h.write(new TextEncoder().encode(JSON.stringify({ ...lockOwnerOf(process.pid, probe), at: new Date().toISOString() }) + '\n'), 0);
      } finally {
        await h.close();
      }
      openHere.add(dir);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw caseIoError('cannot lock the case', dir, err);
    }
    let owner: LockOwner | null = null;
    try {
      const v = JSON.parse(new TextDecoder().decode((await fs.readFile(path)) ?? new Uint8Array())) as Record<string, unknown>;
      if (typeof v['pid'] === 'number' && Number.isSafeInteger(v['pid']) && v['pid'] > 0) {
        owner = { pid: v['pid'] };
        for (const k of ['host', 'boot', 'start', 'at'] as const) if (typeof v[k] === 'string') owner[k] = (v[k] as string).slice(0, 256);
      }
    } catch {
      // An unreadable lock (torn by a crash while it was written) is stale.
    }
    const self = owner !== null && owner.pid === process.pid && (owner.host === undefined || owner.host === probe.host());
    if (owner && !self && !takeOver && lockOwnerAlive(owner, probe)) {
      const where = owner.host !== undefined && owner.host !== probe.host() ? ` on ${owner.host}` : '';
      const since = owner.at ? ` since ${owner.at}` : '';
      // A distinct code and the owner, so the UI can offer to take the case over (openCaseStore's takeOverLock).
      throw HopscopeError.locked(
        `the case is open in another Hopscope process (pid ${owner.pid}${where}${since}); close it there, or take the case over if that Hopscope is gone`,
        { pid: owner.pid, ...(owner.host !== undefined ? { host: owner.host } : {}), ...(owner.at !== undefined ? { since: owner.at } : {}) },
        { file: dir },
      );
    }
    await fs.remove(path).catch(() => undefined);
  }
  throw new HopscopeError('E_CASE', 'cannot lock the case', { file: dir });
}

export interface CaseStore {
  readonly dir: string;
  /** The acknowledged state: what a reload would give. */
  readonly doc: CaseDoc;
  readonly seq: number;
  readonly loadReport: CaseLoadReport;
  /** Validate, journal durably, then apply. Rejects with E_CASE leaving `doc` unchanged. Calls are serialised. */
  apply(op: CaseOp): Promise<CaseDoc>;
  /** Write a snapshot now and start an empty journal. */
  compact(): Promise<void>;
  close(): Promise<void>;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function lineChecksum(seq: number, opJson: string): string {
  return sha256Hex(`${seq}\n${opJson}`);
}

/** One journal line (with its newline) for operation number `seq`. */
export function journalLine(seq: number, op: CaseOp): string {
  const opJson = JSON.stringify(op);
  return `{"seq":${seq},"sum":"${lineChecksum(seq, opJson)}","op":${opJson}}\n`;
}

function snapshotText(seq: number, doc: CaseDoc): string {
  const docJson = JSON.stringify(doc);
  return `{"schema":"${CASE_SCHEMA}","seq":${seq},"sum":"${sha256Hex(docJson)}","case":${JSON.stringify(doc, null, 1)}}\n`;
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the case folder is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'an I/O error occurred',
  ENOENT: 'the case folder no longer exists',
};

export function caseIoError(what: string, dir: string, err: unknown): HopscopeError {
  if (err instanceof HopscopeError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = code ? `${ERRNO_TEXT[code] ?? 'I/O error'} (${code})` : err instanceof Error ? err.message : String(err);
  return new HopscopeError('E_CASE', `${what}: ${reason}`, { file: dir });
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** Parse one journal line; null when torn, damaged or not checksum-valid. */
function parseLine(line: string): { seq: number; op: unknown } | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const { seq, sum, op } = v as { seq?: unknown; sum?: unknown; op?: unknown };
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1 || typeof sum !== 'string' || op === undefined) return null;
  return lineChecksum(seq, JSON.stringify(op)) === sum ? { seq, op } : null;
}

/**
 * Read a case folder without writing anything: last snapshot + the journal's valid run of entries after it.
 * A damaged snapshot is an E_CASE error (nothing is guessed); a damaged journal tail is dropped and reported.
 */
export async function readCase(dir: string, fs: CaseFs = nodeCaseFs, initialSettings?: Partial<CaseSettings>): Promise<ReadCaseResult> {
  let snapBytes: Uint8Array | null;
  let journal: Uint8Array | null;
  try {
    snapBytes = await fs.readFile(join(dir, SNAPSHOT_FILE));
    journal = await fs.readFile(join(dir, JOURNAL_FILE));
  } catch (err) {
    throw caseIoError('cannot read the case', dir, err);
  }
  let doc = emptyCaseDoc(initialSettings);
  let seq = 0;
  if (snapBytes) {
    try {
      const v = JSON.parse(decode(snapBytes)) as { schema?: unknown; seq?: unknown; sum?: unknown; case?: unknown };
      if (v.schema !== CASE_SCHEMA) throw new Error(`unknown schema ${JSON.stringify(v.schema)}`);
      if (typeof v.seq !== 'number' || !Number.isSafeInteger(v.seq) || v.seq < 0) throw new Error('bad sequence number');
      if (v.sum !== sha256Hex(JSON.stringify(v.case))) throw new Error('checksum mismatch');
      doc = parseCaseDoc(v.case);
      seq = v.seq;
    } catch (err) {
      throw new HopscopeError('E_CASE', `the case snapshot is damaged (${err instanceof Error ? err.message : String(err)}); it was left untouched`, {
        file: join(dir, SNAPSHOT_FILE),
      });
    }
  }
  const snapshotSeq = seq;
  let replayed = 0;
  let stale = 0;
  let dropped = 0;
  let validBytes = 0;
  let damaged = false;
  let duplicates = 0;
  let missing = 0;
  let unapplied = 0;
  if (journal) {
    // Every line is checked on its own (each has its checksum), so one bad line costs only its own entry: intact
    // entries after it, repeated ones (applied once) and ones out of order (applied by number) are all recovered.
    // Invalid UTF-8 becomes U+FFFD, which breaks that line's checksum: it is dropped like any damage.
    const parts = new TextDecoder('utf-8').decode(journal).split('\n');
    // What follows the last newline: '' for a cleanly ended journal, else a line torn by a crash.
    const tail = parts.pop()!;
    const entries = new Map<number, { op: unknown; json: string }>();
    let bad = 0;
    let conflicting = 0;
    let inOrder = true;
    let last = seq;
    let torn = false;
    /** Still in the leading run of good lines in order: validBytes counts them (anything else forces a repair). */
    let cleanRun = true;
    const read = (line: string, isLast: boolean): void => {
      const entry = parseLine(line);
      if (!entry) {
        // Power loss can tear the final line (even one whose newline reached the disk); anything more is damage.
        if (isLast) torn = true;
        else bad++;
        cleanRun = false;
        return;
      }
      if (entry.seq <= snapshotSeq) {
        // Left by a compaction interrupted between the snapshot rename and the journal swap.
        stale++;
        if (entries.size > 0) inOrder = false;
        return;
      }
      const json = JSON.stringify(entry.op);
      const prev = entries.get(entry.seq);
      if (prev) {
        if (prev.json === json) duplicates++;
        else conflicting++;
        cleanRun = false;
        return;
      }
      if (entry.seq !== last + 1) {
        inOrder = false;
        cleanRun = false;
      }
      last = Math.max(last, entry.seq);
      entries.set(entry.seq, { op: entry.op, json });
      if (cleanRun) validBytes += Buffer.byteLength(line, 'utf8') + 1;
    };
    for (let i = 0; i < parts.length; i++) read(parts[i]!, tail === '' && i === parts.length - 1);
    if (tail !== '') {
      // A last line that lost only its newline is still an intact entry.
      if (parseLine(tail)) {
        read(tail, true);
        cleanRun = false;
      } else torn = true;
    }
    const seqs = [...entries.keys()].sort((a, b) => a - b);
    for (const n of seqs) {
      try {
        doc = applyCaseOp(doc, parseCaseOp(entries.get(n)!.op));
        seq = n;
        replayed++;
      } catch {
        unapplied++;
      }
    }
    if (seqs.length) missing = seqs[seqs.length - 1]! - snapshotSeq - seqs.length;
    dropped = bad + conflicting + unapplied + (torn ? 1 : 0);
    damaged = bad > 0 || conflicting > 0 || unapplied > 0 || duplicates > 0 || missing > 0 || !inOrder;
  }
  const report: CaseLoadReport = { created: !snapBytes && !journal, snapshotSeq, replayed, droppedLines: dropped };
  if (duplicates) report.duplicateLines = duplicates;
  if (missing) report.missingEntries = missing;
  if (unapplied) report.unappliedEntries = unapplied;
  if (damaged) report.damagedJournal = '';
  return { doc, seq, report, journalValidBytes: validBytes, journalBytes: journal?.byteLength ?? 0, staleLines: stale, hasJournal: journal !== null };
}

/** Open (or create) the case in `dir`, repairing a torn journal tail, ready to apply changes. */
export async function openCaseStore(opts: OpenCaseOptions): Promise<CaseStore> {
  const fs = opts.fs ?? nodeCaseFs;
  const dir = resolve(opts.dir);
  const compactEvery = Math.max(1, opts.compactEvery ?? 200);
  const snapshotPath = join(dir, SNAPSHOT_FILE);
  const journalPath = join(dir, JOURNAL_FILE);

  /** No case write may land on evidence, whatever folder the analyst picked. */
  const guard = (target: string): void => {
    const abs = resolve(target);
    for (const p of opts.protectedPaths?.() ?? []) {
      if (resolve(p) === abs) throw new HopscopeError('E_SECURITY', 'a case file must never be written over evidence', { file: abs });
    }
  };
  guard(dir);
  guard(snapshotPath);
  guard(journalPath);

  try {
    await fs.mkdirp(dir);
  } catch (err) {
    throw caseIoError('cannot open the case folder', dir, err);
  }
  if (opts.lock) await takeLock(fs, dir, opts.processProbe ?? nodeProcessProbe, opts.takeOverLock === true);
  const unlock = async (): Promise<void> => {
    if (!opts.lock) return;
    openHere.delete(dir);
    await fs.remove(join(dir, LOCK_FILE)).catch(() => undefined);
  };
  try {
    return await openLocked();
  } catch (err) {
    await unlock();
    throw err;
  }

  async function openLocked(): Promise<CaseStore> {
    try {
      // Left by a write that never finished (only the lock holder may clean up: another writer could be mid-compaction).
      for (const name of await fs.readdir(dir)) if (TEMP_FILE.test(name)) await fs.remove(join(dir, name));
    } catch (err) {
      throw caseIoError('cannot open the case folder', dir, err);
    }
    const read = await readCase(dir, fs, opts.initialSettings);
    let doc = read.doc;
    let seq = read.seq;
    const loadReport = read.report;
    let snapshotSeq = read.report.snapshotSeq;
    let journal: CaseFileHandle | null = null;
    let journalBytes = read.journalValidBytes;
    let broken = false;
    let closed = false;
    let queue: Promise<unknown> = Promise.resolve();

    const tempName = (base: string): string => join(dir, `${base}.${randomBytes(6).toString('hex')}.tmp`);

    /** Snapshot (temp -> fsync -> rename -> fsync dir), then swap in a new empty journal the same way. */
    async function compactNow(): Promise<void> {
      const jTmp = tempName(JOURNAL_FILE);
      let fresh: CaseFileHandle | null = null;
      let swapped = false;
      try {
        guard(snapshotPath);
        await replaceFileDurable(fs, dir, SNAPSHOT_FILE, snapshotText(seq, doc));
        snapshotSeq = seq;
        // Old journal lines are now covered by the snapshot (seq <= snapshotSeq): replay skips them until the swap.
        fresh = await fs.create(jTmp);
        await fresh.sync();
        guard(journalPath);
        await fs.rename(jTmp, journalPath);
        swapped = true;
        const old = journal;
        journal = fresh;
        journalBytes = 0;
        fresh = null;
        await old?.close().catch(() => undefined);
        await fs.syncDir(dir);
      } catch (err) {
        if (fresh && !swapped) await fresh.close().catch(() => undefined);
        if (!swapped) await fs.remove(jTmp).catch(() => undefined);
        throw caseIoError('cannot write the case snapshot', dir, err);
      }
    }

    const needsRepair =
      loadReport.droppedLines > 0 || loadReport.damagedJournal !== undefined || read.journalValidBytes !== read.journalBytes ||
      read.staleLines > 0 || !read.hasJournal || seq - snapshotSeq >= compactEvery;
    if (loadReport.damagedJournal !== undefined) {
      // Keep the damaged journal for the analyst before the repair replaces it.
      const aside = join(dir, `journal.damaged-${Date.now()}.ndjson`);
      try {
        const bytes = (await fs.readFile(journalPath)) ?? new Uint8Array();
        const h = await fs.create(aside);
        try {
          await h.write(bytes, 0);
          await h.sync();
        } finally {
          await h.close();
        }
        await fs.syncDir(dir);
      } catch (err) {
        throw caseIoError('cannot keep the damaged journal aside', dir, err);
      }
      loadReport.damagedJournal = aside;
    }
    if (needsRepair) {
      await compactNow();
    } else {
      try {
        journal = await fs.openForWrite(journalPath);
        // A previous run may have died between a rename and its folder fsync, or between a write and its fsync:
        // make what we just read durable before appending to it, or a later power loss could undo acknowledged lines.
        await journal.sync();
        await fs.syncDir(dir);
      } catch (err) {
        await journal?.close().catch(() => undefined);
        journal = null;
        throw caseIoError('cannot open the case journal', dir, err);
      }
    }

    function serial<T>(run: () => Promise<T>): Promise<T> {
      const next = queue.then(run, run);
      queue = next.catch(() => undefined);
      return next;
    }

    async function applyNow(input: CaseOp): Promise<CaseDoc> {
      if (closed) throw new HopscopeError('E_CASE', 'the case is closed');
      if (broken || !journal) throw new HopscopeError('E_CASE', 'the case journal could not be repaired after a failed write; reopen the case', { file: dir });
      // Validation first: an invalid change never reaches the disk.
      const op = parseCaseOp(input);
      const next = applyCaseOp(doc, op);
      const bytes = new TextEncoder().encode(journalLine(seq + 1, op));
      try {
        await journal.write(bytes, journalBytes);
        await journal.sync();
      } catch (err) {
        // Cut a partly written line off so the next line does not land after garbage.
        try {
          await journal.truncate(journalBytes);
          await journal.sync();
        } catch {
          broken = true;
        }
        throw caseIoError('cannot save the change; the case is as it was before it', dir, err);
      }
      journalBytes += bytes.byteLength;
      seq++;
      doc = next;
      if (seq - snapshotSeq >= compactEvery) {
        // The change is already durable; a failed snapshot only means a longer journal until the next try.
        await compactNow().catch(() => undefined);
      }
      return doc;
    }

    return {
      dir,
      get doc() {
        return doc;
      },
      get seq() {
        return seq;
      },
      loadReport,
      apply: (op) => serial(() => applyNow(op)),
      compact: () =>
        serial(async () => {
          if (broken || closed) throw new HopscopeError('E_CASE', 'the case is not writable; reopen it', { file: dir });
          await compactNow();
        }),
      close: () =>
        serial(async () => {
          if (closed) return;
          closed = true;
          await journal?.close().catch(() => undefined);
          journal = null;
          await unlock();
        }),
    };
  }
}
