// Reopening a case: re-hash every evidence file (streaming, read-only) and say per file ok | changed | missing;
// relocate a moved file. Invariant: a relocation is accepted only when the new file's SHA-256 equals the recorded one.

import { resolve } from 'node:path';
import { HopscopeError, toErrorInfo } from '../../../engine/model/errors.ts';
import type { CaseStore } from '../case-store.ts';
import { hashEvidence } from '../evidence.ts';
import type { CaseDoc, CaseEvidenceRef } from './case-doc.ts';

export type EvidenceStatus = 'ok' | 'changed' | 'missing';

export interface EvidenceCheck {
  sha256: string;
  path: string;
  name: string;
  status: EvidenceStatus;
  /** The hash found now, when the file was readable but differs. */
  actualSha256?: string;
  /** Why a file counts as missing (not found, permission denied ...). */
  reason?: string;
}

/** Streams a file's SHA-256 (read-only); injectable for tests. */
export type HashFile = (path: string) => Promise<string>;

export const hashFile: HashFile = async (path) => (await hashEvidence(path)).sha256;

export async function checkEvidence(ref: CaseEvidenceRef, hash: HashFile = hashFile): Promise<EvidenceCheck> {
  const base = { sha256: ref.sha256, path: ref.path, name: ref.name };
  let actual: string;
  try {
    actual = (await hash(ref.path)).toLowerCase();
  } catch (err) {
    return { ...base, status: 'missing', reason: toErrorInfo(err).message };
  }
  return actual === ref.sha256 ? { ...base, status: 'ok' } : { ...base, status: 'changed', actualSha256: actual };
}

/** One check per evidence reference, in case order (files are hashed one at a time: disks prefer it). */
export async function verifyEvidence(doc: Pick<CaseDoc, 'evidence'>, hash: HashFile = hashFile): Promise<EvidenceCheck[]> {
  const out: EvidenceCheck[] = [];
  for (const ref of doc.evidence) out.push(await checkEvidence(ref, hash));
  return out;
}

/**
 * Point the case at the new location of an evidence file (found by its recorded path, or by its SHA-256).
 * Refused with E_CASE unless the file at `newPath` has exactly the recorded content.
 */
export async function relocateEvidence(store: CaseStore, oldPathOrSha256: string, newPath: string, hash: HashFile = hashFile): Promise<EvidenceCheck> {
  const key = oldPathOrSha256;
  const ref =
    store.doc.evidence.find((e) => e.path === key) ??
    store.doc.evidence.find((e) => resolve(e.path) === resolve(key)) ??
    store.doc.evidence.find((e) => e.sha256 === key.toLowerCase());
  if (!ref) throw new HopscopeError('E_CASE', `no evidence in the case was at '${oldPathOrSha256}'`);
  const abs = resolve(newPath);
  let actual: string;
  try {
    actual = (await hash(abs)).toLowerCase();
  } catch (err) {
    throw new HopscopeError('E_CASE', `cannot relocate '${ref.name}': ${toErrorInfo(err).message}`, { file: abs });
  }
  if (actual !== ref.sha256) {
    throw new HopscopeError('E_CASE', `'${abs}' is not the evidence '${ref.name}': its SHA-256 is ${actual}, the case recorded ${ref.sha256}`, { file: abs });
  }
  await store.apply({ kind: 'relocate', sha256: ref.sha256, path: abs });
  return { sha256: ref.sha256, path: abs, name: ref.name, status: 'ok' };
}
