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
  /** Char offset before which no record or rejection will be reported any more. */
  settledOffset(): number;
}

/** Records larger than this are rejected instead of buffered (hostile or broken input). */
export const MAX_RECORD_CHARS = 32 * 1024 * 1024;

/**
 * Counts '\n' in s[from, to). Uses indexOf and stops at a newline that ends the range, so records that end
 * with their line break (CSV rows) cost one search; ranges that do not should use countNewlinesIn.
 */
export function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  let i = s.indexOf('\n', from);
  while (i !== -1 && i < to) {
    n++;
    if (i + 1 >= to) break;
    i = s.indexOf('\n', i + 1);
  }
  return n;
}

/** Counts '\n' in s[from, to) without looking past `to` (newline-free inputs stay linear). */
export function countNewlinesIn(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * Counts newlines over increasing ranges of one string with indexOf, remembering the next newline found,
 * so a newline-free input is searched once rather than once per range.
 */
export class NewlineCursor {
  private next = -1;
  constructor(private readonly s: string) {}

  count(from: number, to: number): number {
    const s = this.s;
    if (this.next < from) {
      this.next = s.indexOf('\n', from);
      if (this.next === -1) this.next = s.length;
    }
    let n = 0;
    while (this.next < to) {
      n++;
      this.next = s.indexOf('\n', this.next + 1);
      if (this.next === -1) this.next = s.length;
    }
    return n;
  }
}
