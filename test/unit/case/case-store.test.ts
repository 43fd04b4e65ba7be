// Durable case store: round trip, a crash or power loss injected at every step of the save protocol never loses an
// acknowledged change, torn and damaged journals, disk-full and read-only errors leave the state as it was.

import { mkdtemp, readdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCaseOp, emptyCaseDoc, type CaseDoc, type CaseOp } from '../../../main/host/case/case-doc.ts';
import { spawnSync } from 'node:child_process';
import { journalDamageNotice, JOURNAL_FILE, LOCK_FILE, lockOwnerAlive, lockOwnerOf, nodeProcessProbe, openCaseStore, readCase, SNAPSHOT_FILE } from '../../../main/host/case-store.ts';
import { hostname } from 'node:os';
import { MemCaseFs } from './mem-case-fs.ts';

const SHA_A = 'a'.repeat(64);
const F1 = { kind: 'finding', id: 'psexec|WS1|1714550400000' } as const;
const F2 = { kind: 'finding', id: 'wmic|DC1|1714550460000' } as const;
const E1 = { kind: 'event', id: `${SHA_A}:17` } as const;
const at = (s: number): string => `2024-05-01T09:00:${String(s).padStart(2, '0')}Z`;

const SCRIPT: CaseOp[] = [
  { kind: 'evidence', evidence: [{ path: '/ev/a.csv', name: 'a.csv', bytes: 10, sha256: SHA_A, format: 'cim-csv', addedAt: at(0) }] },
  { kind: 'annotate', changes: [{ op: 'setStatus', target: F1, atIso: at(1), status: 'investigating' }] },
  { kind: 'annotate', changes: [{ op: 'addTag', target: F1, atIso: at(2), tag: 'lateral' }] },
  { kind: 'annotate', changes: [{ op: 'addComment', target: F1, atIso: at(3), author: 'ana', text: 'PsExec from WS1 <b>"x"</b>' }] },
  { kind: 'settings', settings: { binSpanSec: 5, timeZone: 'Europe/Berlin' } },
  { kind: 'annotate', changes: [{ op: 'setStar', target: E1, atIso: at(4), star: true }, { op: 'setStatus', target: F2, atIso: at(4), status: 'benign' }] },
  { kind: 'view', view: { zoom: [1, 2], selected: 'x' } },
  { kind: 'annotate', changes: [{ op: 'removeTag', target: F1, atIso: at(5), tag: 'lateral' }] },
  { kind: 'annotate', changes: [{ op: 'setStatus', target: F1, atIso: at(6), status: 'confirmed-malicious' }] },
];

function replay(ops: readonly CaseOp[]): CaseDoc {
  return ops.reduce(applyCaseOp, emptyCaseDoc());
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'hopscope-case-store-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('case store on disk', () => {
  it('round-trips every part of the case through journal and snapshot', async () => {
    const dir = join(tmp, 'round');
    const store = await openCaseStore({ dir, compactEvery: 4 });
    expect(store.loadReport.created).toBe(true);
    for (const op of SCRIPT) await store.apply(op);
    expect(store.doc).toEqual(replay(SCRIPT));
    await store.close();
    const names = await readdir(dir);
    expect(names.sort()).toEqual([SNAPSHOT_FILE, JOURNAL_FILE].sort());
    // 9 ops, a snapshot every 4: the snapshot holds 8, the journal the 9th.
    expect((await readFile(join(dir, JOURNAL_FILE), 'utf8')).trim().split('\n')).toHaveLength(1);
    const again = await openCaseStore({ dir, compactEvery: 4 });
    expect(again.doc).toEqual(replay(SCRIPT));
    expect(again.loadReport).toMatchObject({ created: false, snapshotSeq: 8, replayed: 1, droppedLines: 0 });
    expect(again.doc.annotations.findings[F1.id]!.status).toBe('confirmed-malicious');
    expect(again.doc.annotations.findings[F1.id]!.comments[0]!.text).toBe('PsExec from WS1 <b>"x"</b>');
    expect(again.doc.settings).toEqual({ binSpanSec: 5, timeZone: 'Europe/Berlin' });
    expect(again.doc.view).toEqual({ zoom: [1, 2], selected: 'x' });
    await again.close();
  });

  it('refuses an invalid change before writing anything', async () => {
    const dir = join(tmp, 'invalid');
    const store = await openCaseStore({ dir });
    await store.apply(SCRIPT[1]!);
    const before = await readFile(join(dir, JOURNAL_FILE), 'utf8');
    await expect(store.apply({ kind: 'annotate', changes: [{ op: 'setStatus', target: F1, atIso: at(9), status: 'pwned' as never }] })).rejects.toMatchObject({ code: 'E_CASE' });
    await expect(store.apply({ kind: 'settings', settings: { timeZone: 'Mars/Olympus' } })).rejects.toMatchObject({ code: 'E_CASE' });
    await expect(store.apply({ kind: 'view', view: 'x'.repeat(300_000) })).rejects.toMatchObject({ code: 'E_CASE' });
    await expect(store.apply({ kind: 'relocate', sha256: 'b'.repeat(64), path: '/x' })).rejects.toMatchObject({ code: 'E_CASE' });
    expect(await readFile(join(dir, JOURNAL_FILE), 'utf8')).toBe(before);
    expect(store.seq).toBe(1);
    await store.close();
  });

  it('ignores a torn last journal line and keeps appending cleanly after it', async () => {
    const dir = join(tmp, 'torn');
    const store = await openCaseStore({ dir });
    for (const op of SCRIPT.slice(0, 3)) await store.apply(op);
    await store.close();
    await appendFile(join(dir, JOURNAL_FILE), '{"seq":4,"sum":"0badc0de","op":{"kind":"annot');
    const again = await openCaseStore({ dir });
    expect(again.doc).toEqual(replay(SCRIPT.slice(0, 3)));
    expect(again.loadReport.droppedLines).toBe(1);
    expect(again.loadReport.damagedJournal).toBeUndefined();
    await again.apply(SCRIPT[3]!);
    await again.close();
    const third = await openCaseStore({ dir });
    expect(third.doc).toEqual(replay(SCRIPT.slice(0, 4)));
    expect(third.loadReport.droppedLines).toBe(0);
    await third.close();
    expect((await readdir(dir)).filter((n) => n.includes('damaged'))).toEqual([]);
  });

  it('skips only a damaged line in the middle, replays the entries after it and keeps the damaged journal aside', async () => {
    const dir = join(tmp, 'damaged');
    const store = await openCaseStore({ dir });
    for (const op of SCRIPT.slice(0, 4)) await store.apply(op);
    await store.close();
    const lines = (await readFile(join(dir, JOURNAL_FILE), 'utf8')).split('\n');
    lines[2] = lines[2]!.replace('lateral', 'latteral');
    await writeFile(join(dir, JOURNAL_FILE), lines.join('\n'));
    const again = await openCaseStore({ dir });
    // Was: replay stopped at the bad line and the comment after it was lost.
    expect(again.doc).toEqual(replay([SCRIPT[0]!, SCRIPT[1]!, SCRIPT[3]!]));
    expect(again.loadReport).toMatchObject({ droppedLines: 1, missingEntries: 1, replayed: 3 });
    expect(journalDamageNotice(again.loadReport)).toMatch(/3 change\(s\) recovered; 1 unreadable line\(s\) skipped; 1 change\(s\) missing/);
    const aside = again.loadReport.damagedJournal!;
    expect(aside).toMatch(/journal\.damaged-\d+\.ndjson$/);
    expect(await readFile(aside, 'utf8')).toContain('latteral');
    await again.close();
  });

  describe('60 notes, then the journal damaged (issue 16, item 6): every intact entry is recovered', () => {
    const notes: CaseOp[] = Array.from({ length: 60 }, (_, i) => ({
      kind: 'annotate',
      changes: [{ op: 'addComment', target: { kind: 'finding', id: `r|H${i}|1714550400000` }, atIso: at(i % 60), author: 'ana', text: `note ${i}` }],
    }));
    const comments = (doc: CaseDoc): string[] => Object.values(doc.annotations.findings).flatMap((a) => a.comments.map((c) => c.text)).sort();
    const all = notes.map((_, i) => `note ${i}`).sort();
    async function damaged(name: string, edit: (lines: string[]) => string[], raw?: (text: string) => string) {
      const dir = join(tmp, `sixty-${name}`);
      const store = await openCaseStore({ dir, compactEvery: 1000 });
      for (const op of notes) await store.apply(op);
      await store.close();
      const text = await readFile(join(dir, JOURNAL_FILE), 'utf8');
      const lines = text.split('\n');
      lines.pop();
      await writeFile(join(dir, JOURNAL_FILE), raw ? raw(text) : edit(lines).join('\n') + '\n');
      const again = await openCaseStore({ dir, compactEvery: 1000 });
      const got = comments(again.doc);
      const report = again.loadReport;
      await again.close();
      // What was recovered survives the repair (the journal is rewritten) and a second reopen.
      const third = await openCaseStore({ dir, compactEvery: 1000 });
      expect(comments(third.doc)).toEqual(got);
      expect(third.loadReport.damagedJournal).toBeUndefined();
      await third.close();
      return { got, report };
    }

    it('a bit flip in a middle line loses that note only (was: 29 of 60 left)', async () => {
      const { got, report } = await damaged('flip', (l) => {
        l[30] = l[30]!.replace('note 30', 'note 3O');
        return l;
      });
      expect(got).toEqual(all.filter((n) => n !== 'note 30'));
      expect(report).toMatchObject({ droppedLines: 1, missingEntries: 1 });
      expect(report.damagedJournal).toMatch(/journal\.damaged-\d+\.ndjson$/);
      expect(journalDamageNotice(report)).toMatch(/59 change\(s\) recovered/);
    });

    it('a duplicated line is applied once (was: 0 left)', async () => {
      const { got, report } = await damaged('dup', (l) => [...l.slice(0, 10), l[9]!, ...l.slice(10)]);
      expect(got).toEqual(all);
      expect(report.duplicateLines).toBe(1);
      expect(journalDamageNotice(report)).toMatch(/1 repeated line/);
    });

    it('two swapped lines are applied in sequence order (was: 1 left)', async () => {
      const { got, report } = await damaged('swap', (l) => {
        [l[0], l[1]] = [l[1]!, l[0]!];
        return l;
      });
      expect(got).toEqual(all);
      expect(report.damagedJournal).toBeDefined();
    });

    it('a truncated tail loses only the cut line, and a last line without its newline is kept', async () => {
      const cut = await damaged('trunc', () => [], (t) => t.slice(0, t.length - 20));
      expect(cut.got).toEqual(all.filter((n) => n !== 'note 59'));
      const nl = await damaged('nonl', () => [], (t) => t.slice(0, -1));
      expect(nl.got).toEqual(all);
    });
  });

  it('reports a damaged snapshot as E_CASE without touching it', async () => {
    const dir = join(tmp, 'badsnap');
    const store = await openCaseStore({ dir, compactEvery: 2 });
    for (const op of SCRIPT.slice(0, 2)) await store.apply(op);
    await store.close();
    const text = await readFile(join(dir, SNAPSHOT_FILE), 'utf8');
    await writeFile(join(dir, SNAPSHOT_FILE), text.replace('investigating', 'benign'));
    await expect(openCaseStore({ dir })).rejects.toMatchObject({ code: 'E_CASE', message: expect.stringContaining('checksum') });
    expect(await readFile(join(dir, SNAPSHOT_FILE), 'utf8')).toBe(text.replace('investigating', 'benign'));
  });

  it('never writes over evidence', async () => {
    const ev = join(tmp, 'evidence.csv');
    await writeFile(ev, 'x');
    await expect(openCaseStore({ dir: ev, protectedPaths: () => [ev] })).rejects.toMatchObject({ code: 'E_SECURITY' });
    const dir = join(tmp, 'guarded');
    await expect(openCaseStore({ dir, protectedPaths: () => [join(dir, JOURNAL_FILE)] })).rejects.toMatchObject({ code: 'E_SECURITY' });
    expect(await readFile(ev, 'utf8')).toBe('x');
  });

  it('holds a lock while open: a second writer is refused, a dead holder is taken over', async () => {
    const dir = join(tmp, 'locked');
    const store = await openCaseStore({ dir, lock: true });
    await expect(openCaseStore({ dir, lock: true })).rejects.toMatchObject({ code: 'E_CASE', message: expect.stringContaining('already open') });
    await store.close();
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
    // Another live process holds it (the test runner's parent stands in for a second Hopscope).
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid }));
    await expect(openCaseStore({ dir, lock: true })).rejects.toMatchObject({ code: 'E_CASE_LOCKED', lock: { pid: process.ppid }, message: expect.stringContaining(`pid ${process.ppid}`) });
    // A crashed process's lock (its pid is gone) and a torn lock file are both stale.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: Number(gone.stdout) }));
    const taken = await openCaseStore({ dir, lock: true });
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await taken.close();
    await writeFile(join(dir, LOCK_FILE), '{"pi');
    await (await openCaseStore({ dir, lock: true })).close();
  });

  it('identifies the lock owner by more than its PID: a PID now held by another process or from before a reboot is stale (issue 16, item 7)', async () => {
    const dir = join(tmp, 'lock-identity');
    await (await openCaseStore({ dir, lock: true })).close();
    const probe = nodeProcessProbe;
    // The lock this process writes names its host, boot and start time.
    const mine = await openCaseStore({ dir, lock: true });
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await mine.close();
    const live = process.ppid;
    const liveStart = probe.start(live);
    // The PID is alive but is another process than the one that wrote the lock (was: "open in another process").
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: live, host: hostname(), boot: probe.boot(), start: liveStart === '1' ? '2' : '1' }));
    if (liveStart !== undefined) await (await openCaseStore({ dir, lock: true })).close();
    // A lock written before the last reboot.
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: live, host: hostname(), boot: 'an-earlier-boot' }));
    if (probe.boot() !== undefined) await (await openCaseStore({ dir, lock: true })).close();
    // The very process that wrote it still runs: refused, with the way out; taking over is the analyst's call.
    await writeFile(join(dir, LOCK_FILE), JSON.stringify(lockOwnerOf(live, probe)));
    await expect(openCaseStore({ dir, lock: true })).rejects.toMatchObject({ code: 'E_CASE_LOCKED', lock: { pid: live, host: hostname() }, message: expect.stringMatching(/pid \d+.*take the case over/) });
    await (await openCaseStore({ dir, lock: true, takeOverLock: true })).close();
    // Another host's lock cannot be checked from here: refused unless taken over.
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'other-host', at: '2026-01-01T00:00:00Z' }));
    await expect(openCaseStore({ dir, lock: true })).rejects.toMatchObject({
      code: 'E_CASE_LOCKED',
      lock: { pid: 1, host: 'other-host', since: '2026-01-01T00:00:00Z' },
      message: expect.stringContaining('on other-host since 2026-01-01'),
    });
    // A probe standing in for any platform: same PID, different start time = stale.
    const fake = { host: () => 'h', boot: () => undefined, start: () => '200', alive: () => true };
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 4242, host: 'h', start: '100' }));
    await (await openCaseStore({ dir, lock: true, processProbe: fake })).close();
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 4242, host: 'h', start: '200' }));
    await expect(openCaseStore({ dir, lock: true, processProbe: fake })).rejects.toMatchObject({ code: 'E_CASE_LOCKED', lock: { pid: 4242, host: 'h' } });
    expect(lockOwnerAlive({ pid: 4242, host: 'h', start: '100' }, fake)).toBe(false);
  });

  it('serialises concurrent changes in call order', async () => {
    const store = await openCaseStore({ dir: join(tmp, 'concurrent'), compactEvery: 3 });
    await Promise.all(SCRIPT.map((op) => store.apply(op)));
    expect(store.doc).toEqual(replay(SCRIPT));
    await store.close();
    expect((await readCase(join(tmp, 'concurrent'))).doc).toEqual(replay(SCRIPT));
  });
});

describe('case store under injected failures', () => {
  const DIR = '/cases/c1';

  /** Run the script with a failure at step k; return the acknowledged ops and whether the failure fired. */
  async function runWithFault(fs: MemCaseFs, ops: readonly CaseOp[], compactEvery: number): Promise<{ acked: CaseOp[]; fired: boolean }> {
    const acked: CaseOp[] = [];
    try {
      const store = await openCaseStore({ dir: DIR, fs, compactEvery });
      for (const op of ops) {
        await store.apply(op);
        acked.push(op);
      }
    } catch {
      // The injected crash: the process is gone; what matters is what a restart finds.
    }
    return { acked, fired: fs.failures > 0 };
  }

  for (const mode of ['process crash', 'power loss', 'power loss with a torn tail'] as const) {
    it(`loses no acknowledged change after a ${mode} at any step, including during the recovery`, async () => {
      let runs = 0;
      for (let k = 1; ; k++) {
        const fs = new MemCaseFs();
        fs.failAt = k;
        const { acked, fired } = await runWithFault(fs, SCRIPT, 3);
        if (!fired) {
          expect(acked).toHaveLength(SCRIPT.length);
          break;
        }
        runs++;
        const allowed = [replay(acked), replay(SCRIPT.slice(0, acked.length + 1))];
        // Recovery itself may crash at any of its own steps; each attempt must still find every acknowledged change.
        for (let j = 1; ; j++) {
          fs.restart();
          if (mode !== 'process crash') fs.powerLoss({ tornTail: mode === 'power loss with a torn tail' });
          fs.failAt = fs.steps + j;
          const before = fs.failures;
          let store;
          try {
            store = await openCaseStore({ dir: DIR, fs, compactEvery: 3 });
          } catch {
            expect(fs.failures).toBe(before + 1);
            continue;
          }
          fs.restart();
          expect(allowed).toContainEqual(store.doc);
          // And the case goes on: the rest of the script lands on top and survives another power loss.
          const rest = SCRIPT.slice(store.seq);
          for (const op of rest) await store.apply(op);
          fs.powerLoss();
          const final = await openCaseStore({ dir: DIR, fs, compactEvery: 3 });
          expect(final.doc).toEqual(store.doc);
          break;
        }
      }
      // Every step of the protocol was hit at least once (open, 9 journal appends, 3 compactions ...).
      expect(runs).toBeGreaterThan(40);
    });
  }

  it('loses no acknowledged change when a power loss persists any subset of the unsynced folder changes', async () => {
    let variants = 0;
    for (let k = 1; ; k++) {
      const probe = new MemCaseFs();
      probe.failAt = k;
      const { fired } = await runWithFault(probe, SCRIPT, 3);
      if (!fired) break;
      const pending = probe.pendingDirOps();
      for (let mask = 0; mask < 2 ** Math.min(pending, 8); mask++) {
        const fs = new MemCaseFs();
        fs.failAt = k;
        const { acked } = await runWithFault(fs, SCRIPT, 3);
        fs.restart();
        fs.powerLoss({ keepDirOps: (i) => (mask & (1 << i)) !== 0 });
        const store = await openCaseStore({ dir: DIR, fs, compactEvery: 3 });
        expect([replay(acked), replay(SCRIPT.slice(0, acked.length + 1))]).toContainEqual(store.doc);
        variants++;
      }
    }
    expect(variants).toBeGreaterThan(60);
  });

  it('disk full while appending: E_CASE, state and file as before, later changes still work', async () => {
    const fs = new MemCaseFs();
    const store = await openCaseStore({ dir: DIR, fs, compactEvery: 100 });
    await store.apply(SCRIPT[0]!);
    await store.apply(SCRIPT[1]!);
    const journalBefore = fs.text(`${DIR}/${JOURNAL_FILE}`);
    fs.fault = { kind: 'errno', code: 'ENOSPC' };
    fs.failAt = fs.steps + 1; // the write itself (half of it lands, as on a real full disk)
    await expect(store.apply(SCRIPT[2]!)).rejects.toMatchObject({ code: 'E_CASE', message: expect.stringContaining('disk is full') });
    expect(store.doc).toEqual(replay(SCRIPT.slice(0, 2)));
    expect(fs.text(`${DIR}/${JOURNAL_FILE}`)).toBe(journalBefore);
    fs.failAt = fs.steps + 2; // now the fsync fails after a complete write
    await expect(store.apply(SCRIPT[2]!)).rejects.toMatchObject({ code: 'E_CASE' });
    expect(store.doc).toEqual(replay(SCRIPT.slice(0, 2)));
    fs.failAt = null;
    await store.apply(SCRIPT[3]!);
    const expected = replay([SCRIPT[0]!, SCRIPT[1]!, SCRIPT[3]!]);
    expect(store.doc).toEqual(expected);
    fs.powerLoss();
    expect((await openCaseStore({ dir: DIR, fs })).doc).toEqual(expected);
  });

  it('read-only disk: every change fails with E_CASE and the case stays as it was', async () => {
    const fs = new MemCaseFs();
    const store = await openCaseStore({ dir: DIR, fs, compactEvery: 2 });
    await store.apply(SCRIPT[0]!);
    fs.fault = { kind: 'errno', code: 'EROFS', sticky: true };
    fs.failAt = fs.steps + 1;
    await expect(store.apply(SCRIPT[1]!)).rejects.toMatchObject({ code: 'E_CASE', message: expect.stringContaining('read-only') });
    // The cut-back of the torn line failed too: the store refuses further writes rather than append after garbage.
    await expect(store.apply(SCRIPT[1]!)).rejects.toMatchObject({ code: 'E_CASE' });
    expect(store.doc).toEqual(replay(SCRIPT.slice(0, 1)));
    fs.restart();
    fs.fault = { kind: 'crash' };
    const again = await openCaseStore({ dir: DIR, fs, compactEvery: 2 });
    expect(again.doc).toEqual(replay(SCRIPT.slice(0, 1)));
    await again.apply(SCRIPT[1]!);
    expect(again.doc).toEqual(replay(SCRIPT.slice(0, 2)));
  });

  it('permission denied while opening a case is a clear E_CASE', async () => {
    const fs = new MemCaseFs();
    fs.fault = { kind: 'errno', code: 'EACCES', sticky: true };
    fs.failAt = 1;
    await expect(openCaseStore({ dir: DIR, fs })).rejects.toMatchObject({ code: 'E_CASE', message: expect.stringContaining('permission denied') });
  });

  it('a failed snapshot after an acknowledged change keeps the change (journal only) and retries later', async () => {
    const fs = new MemCaseFs();
    const store = await openCaseStore({ dir: DIR, fs, compactEvery: 2 });
    await store.apply(SCRIPT[0]!);
    fs.fault = { kind: 'errno', code: 'ENOSPC' };
    fs.failAt = fs.steps + 3; // write + sync of the journal succeed; creating the snapshot temp fails
    await store.apply(SCRIPT[1]!);
    expect(fs.log.slice(-1)[0]).toMatch(/^(create|remove)/);
    fs.failAt = null;
    fs.powerLoss();
    const again = await openCaseStore({ dir: DIR, fs, compactEvery: 2 });
    expect(again.doc).toEqual(replay(SCRIPT.slice(0, 2)));
  });
});
