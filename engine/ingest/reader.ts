// What every container reader (csv, ndjson/json, xml) hands to the ingestor: flattened fields or a rejection,
// each with its physical 1-based line and the char offset of the record in the decoded text.

export interface ReaderOutput {
  /** `index` may be shared between records (CSV header); `text` is the record's own text when it has one. */
  record(
    names: readonly string[],
    values: ReadonlyArray<string | undefined>,
    index: ReadonlyMap<string, number> | null,
    text: string | undefined,
    line: number,
    charOffset: number,
  ): void;
  reject(code: string, reason: string, line: number, charOffset: number): void;
}

export interface ContainerReader {
  push(text: string): void;
  end(): void;
}

/** Records larger than this are rejected instead of buffered (hostile or broken input). */
export const MAX_RECORD_CHARS = 32 * 1024 * 1024;

/** Counts '\n' in s[from, to). */
export function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  let i = s.indexOf('\n', from);
  while (i !== -1 && i < to) {
    n++;
    i = s.indexOf('\n', i + 1);
  }
  return n;
}
