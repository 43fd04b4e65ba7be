// Annotation persistence: the analyst's annotations of a case, stored per evidence set under the user-data folder.
// Invariant: written atomically (temp file + rename, one write at a time), keyed by the evidence content
// hashes so reopening the same files finds them again; never written next to the evidence.

import { createHash } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { emptyDoc, parseAnnotationDoc, type AnnotationDoc } from '../../engine/case/annotations.ts';
import { HopscopeError } from '../../engine/model/errors.ts';
import { replaceFileDurable } from './atomic-write.ts';
import { nodeCaseFs } from './case/case-fs.ts';

export const ANNOTATIONS_SCHEMA = 'hopscope.annotations/1';

interface CaseFile {
  schema: typeof ANNOTATIONS_SCHEMA;
  evidence: Array<{ sha256: string; name: string }>;
  annotations: AnnotationDoc;
}

/** One key per set of evidence contents, whatever the order or file names. */
export function caseKey(sha256s: readonly string[]): string {
  const sorted = [...new Set(sha256s.map((s) => s.toLowerCase()))].sort();
  return createHash('sha256').update(sorted.join('\n'), 'utf8').digest('hex');
}

export interface AnnotationStore {
  load(key: string): Promise<AnnotationDoc>;
  save(key: string, evidence: Array<{ sha256: string; name: string }>, doc: AnnotationDoc): Promise<void>;
}

export function createAnnotationStore(dir: string): AnnotationStore {
  let writes: Promise<void> = Promise.resolve();
  const fileOf = (key: string): string => {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new HopscopeError('E_CASE', 'bad case key');
    return join(dir, `${key}.json`);
  };
  return {
    async load(key) {
      let text: string;
      try {
        text = await readFile(fileOf(key), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyDoc();
        throw new HopscopeError('E_CASE', `cannot read the saved case: ${(err as NodeJS.ErrnoException).code ?? 'EIO'}`);
      }
      try {
        const parsed = JSON.parse(text) as Partial<CaseFile>;
        return parseAnnotationDoc(parsed.annotations ?? {});
      } catch (err) {
        // Keep the damaged file for the analyst (it may be hand-edited) and start afresh beside it.
        const aside = join(dir, `${key}.damaged-${Date.now()}.json`);
        await rename(fileOf(key), aside).catch(() => undefined);
        throw new HopscopeError('E_CASE', `the saved annotations were damaged (${err instanceof Error ? err.message : String(err)}); kept as ${aside}`, { file: aside });
      }
    },
    save(key, evidence, doc) {
      const target = fileOf(key);
      const body: CaseFile = { schema: ANNOTATIONS_SCHEMA, evidence, annotations: doc };
      const run = async (): Promise<void> => {
        try {
          await replaceFileDurable(nodeCaseFs, dirname(target), basename(target), JSON.stringify(body, null, 1), 0o600);
        } catch (err) {
          throw new HopscopeError('E_CASE', `cannot save the case: ${(err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : 'EIO')}`);
        }
      };
      const next = writes.then(run, run);
      writes = next.catch(() => undefined);
      return next;
    },
  };
}
