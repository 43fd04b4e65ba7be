// Recently opened cases, kept in `<userDataDir>/recent-cases.json` (most recent first, at most MAX_RECENT_CASES).
// Invariant: the file is replaced atomically and durably; an unreadable or damaged list reads as empty, never fatal.

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { nodeCaseFs, type CaseFs } from './case-fs.ts';
import { replaceFileDurable } from '../atomic-write.ts';

export const RECENT_CASES_FILE = 'recent-cases.json';
export const MAX_RECENT_CASES = 20;

export interface RecentCase {
  /** Opaque id the renderer names when reopening; never a path. */
  id: string;
  /** The case folder. */
  dir: string;
  name: string;
  openedAt: string;
  evidence: Array<{ name: string; sha256: string }>;
}

function isRecentCase(v: unknown): v is RecentCase {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r['id'] === 'string' && typeof r['dir'] === 'string' && typeof r['name'] === 'string' && typeof r['openedAt'] === 'string' &&
    Array.isArray(r['evidence']) &&
    r['evidence'].every((e: unknown) => typeof e === 'object' && e !== null && typeof (e as Record<string, unknown>)['name'] === 'string' && typeof (e as Record<string, unknown>)['sha256'] === 'string')
  );
}

export async function loadRecentCases(userDataDir: string, fs: CaseFs = nodeCaseFs): Promise<RecentCase[]> {
  try {
    const bytes = await fs.readFile(join(userDataDir, RECENT_CASES_FILE));
    if (!bytes) return [];
    const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return Array.isArray(v) ? v.filter(isRecentCase).slice(0, MAX_RECENT_CASES) : [];
  } catch {
    return [];
  }
}

/** Put a case first in the list (keeping its id when it was there), save, and return the entry. */
export async function rememberCase(
  userDataDir: string,
  entry: Omit<RecentCase, 'id' | 'openedAt'> & { openedAt?: string },
  fs: CaseFs = nodeCaseFs,
): Promise<RecentCase> {
  const list = await loadRecentCases(userDataDir, fs);
  const prev = list.find((r) => r.dir === entry.dir);
  const item: RecentCase = {
    id: prev?.id ?? randomBytes(12).toString('hex'),
    dir: entry.dir,
    name: entry.name,
    openedAt: entry.openedAt ?? new Date().toISOString(),
    evidence: entry.evidence.map((e) => ({ name: e.name, sha256: e.sha256 })),
  };
  const next = [item, ...list.filter((r) => r.dir !== entry.dir)].slice(0, MAX_RECENT_CASES);
  await replaceFileDurable(fs, userDataDir, RECENT_CASES_FILE, JSON.stringify(next, null, 2) + '\n');
  return item;
}

export async function forgetCase(userDataDir: string, id: string, fs: CaseFs = nodeCaseFs): Promise<void> {
  const list = await loadRecentCases(userDataDir, fs);
  const next = list.filter((r) => r.id !== id);
  if (next.length !== list.length) await replaceFileDurable(fs, userDataDir, RECENT_CASES_FILE, JSON.stringify(next, null, 2) + '\n');
}
