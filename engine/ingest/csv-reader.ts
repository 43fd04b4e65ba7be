// Streaming CSV reader on papaparse's core Parser (header:false, rows as arrays): columns are mapped by
// index once from the header. Invariant: every row keeps the physical line it starts on, even after
// quoted fields that span lines; a row with the wrong field count is rejected, never padded.

import Papa from 'papaparse';
import { HopscopeError } from '../model/errors.ts';
import { indexOfNames } from '../formats/types.ts';
import { countNewlines, MAX_RECORD_CHARS, type ContainerReader, type ReaderOutput } from './reader.ts';

const CANDIDATE_DELIMITERS = [',', '\t', ';', '|'];
/** The header Event Viewer (English UI) writes when it saves a log as CSV; the message follows unnamed. */
export const EVENT_VIEWER_COLUMNS: readonly string[] = ['Level', 'Date and Time', 'Source', 'Event ID', 'Task Category'];

/** Picks the delimiter that occurs most often outside quotes in the header line. */
export function guessDelimiter(headerLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of CANDIDATE_DELIMITERS) {
    let n = 0;
    let inQuote = false;
    for (let i = 0; i < headerLine.length; i++) {
      const c = headerLine[i];
      if (c === '"') inQuote = !inQuote;
      else if (!inQuote && c === d) n++;
    }
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** What papaparse's step callback receives (errors belong to this row only). */
interface StepResult {
  data: string[] | string[][];
  errors: Array<{ code: string }>;
  meta: { cursor: number };
}

interface PapaCoreParser {
  parse(input: string, baseIndex: number, ignoreLastRow: boolean): {
    data: string[][];
    errors: Array<{ type: string; code: string; message: string; row?: number; index?: number }>;
    meta: { cursor: number };
  };
}

export class CsvReader implements ContainerReader {
  private buf = '';
  /** Char offset of buf[0] in the whole text. */
  private bufBase = 0;
  /** Physical line of buf[0]. */
  private bufLine = 1;
  private header: string[] | null = null;
  private index: Map<string, number> | null = null;
  private parser: PapaCoreParser | null = null;
  private delimiter = ',';
  private crlf = false;
  /** A `#TYPE` line was skipped already: only the first line can be one, however the text was chunked. */
  private typeLineSkipped = false;
  // Per-parse state read by the step callback.
  private rowStart = 0;
  private rowLine = 1;
  private input = '';
  private holdRows = false;
  private held: { row: string[]; start: number; end: number; line: number; missingQuote: boolean } | null = null;

  constructor(
    private readonly out: ReaderOutput,
    private readonly file?: string,
    private readonly maxRecordChars = MAX_RECORD_CHARS,
  ) {}

  get columns(): readonly string[] | null {
    return this.header;
  }

  get fieldDelimiter(): string {
    return this.delimiter;
  }

  push(text: string): void {
    this.buf = this.buf.length ? this.buf + text : text;
    this.run(false);
  }

  settledOffset(): number {
    return this.bufBase;
  }

  end(): void {
    this.run(true);
  }

  private run(final: boolean): void {
    if (!this.parser) {
      if (!this.readHeader(final)) return;
    }
    if (this.buf.length === 0) return;
    this.input = this.buf;
    this.rowStart = 0;
    this.rowLine = this.bufLine;
    // On the last pass papaparse still hands over a row whose quote never closed: hold each row back until
    // we know whether it was that one, so it is rejected once instead of mapped (or rejected twice).
    this.holdRows = final;
    const res = this.parser!.parse(this.input, 0, !final);
    this.holdRows = false;
    let consumed = final ? this.input.length : res.meta.cursor;
    if (final) {
      const held = this.held;
      this.held = null;
      if (held) {
        if (held.missingQuote) {
          this.out.reject('csv-quote', 'unterminated quoted field', held.line, this.bufBase + held.start);
        } else this.emitRow(held.row, held.start, held.end, held.line);
      }
    } else if (consumed === 0 && this.buf.length > this.maxRecordChars * 4) {
      // Far past the record limit: most likely an unterminated quote that would swallow the rest of the file.
      // Reject it and resync at the next line (records just over the limit are rejected whole in onRow).
      this.out.reject('too-large', `record longer than ${this.maxRecordChars} characters`, this.bufLine, this.bufBase);
      const nl = this.buf.indexOf('\n');
      consumed = nl === -1 ? this.buf.length : nl + 1;
      this.rowLine = this.bufLine + (nl === -1 ? 0 : 1);
      this.parser = this.makeParser();
    }
    this.bufLine = this.rowLine;
    this.bufBase += consumed;
    this.buf = consumed >= this.buf.length ? '' : this.buf.slice(consumed);
    this.input = '';
  }

  private readHeader(final: boolean): boolean {
    // Strip a BOM that survived decoding (ingestText callers pass strings straight from files).
    if (this.bufBase === 0 && this.buf.charCodeAt(0) === 0xfeff) {
      this.buf = this.buf.slice(1);
      this.bufBase = 1;
    }
    // Skip leading blank lines, and the `#TYPE <class>` line Windows PowerShell's Export-Csv writes above the
    // header unless -NoTypeInformation (blank lines may follow it too), the same way for any chunking.
    let nl: number;
    for (;;) {
      while (this.buf.length) {
        const c = this.buf.charCodeAt(0);
        if (c === 10) {
          this.buf = this.buf.slice(1);
          this.bufBase++;
          this.bufLine++;
        } else if (c === 13) {
          this.buf = this.buf.slice(1);
          this.bufBase++;
        } else break;
      }
      nl = this.buf.indexOf('\n');
      if (nl !== -1 && !this.typeLineSkipped && this.buf.startsWith('#TYPE ')) {
        this.typeLineSkipped = true;
        this.buf = this.buf.slice(nl + 1);
        this.bufBase += nl + 1;
        this.bufLine++;
        continue;
      }
      break;
    }
    if (nl === -1 && !final) {
      if (this.buf.length > this.maxRecordChars) throw new HopscopeError('E_FORMAT', 'CSV header line is too long', { file: this.file, line: this.bufLine });
      return false;
    }
    const headerEnd = nl === -1 ? this.buf.length : nl;
    this.crlf = nl > 0 && this.buf.charCodeAt(nl - 1) === 13;
    const headerLine = this.buf.slice(0, this.crlf ? headerEnd - 1 : headerEnd);
    this.delimiter = guessDelimiter(headerLine);
    const headerParse = (Papa.parse as (s: string, c: object) => { data: string[][] })(headerLine, {
      delimiter: this.delimiter,
      header: false,
    });
    const names = (headerParse.data[0] ?? []).map((n) => n.trim());
    if (names.length === 0 || (names.length === 1 && names[0] === '')) {
      if (final) {
        this.buf = '';
        return false;
      }
      throw new HopscopeError('E_FORMAT', 'CSV file has an empty header row', { file: this.file, line: this.bufLine });
    }
    // Disambiguate duplicate column names the way Splunk does (name, name_2 ...), so each stays addressable.
    const seen = new Map<string, number>();
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      const k = seen.get(n);
      if (k !== undefined) {
        names[i] = `${n}_${k + 1}`;
        seen.set(n, k + 1);
      } else seen.set(n, 1);
    }
    // Event Viewer's "Save All Events As > CSV" names five columns but writes the event's message as a sixth, unnamed
    // one: give it the name Get-WinEvent uses, so rows keep their field count and the message can be read.
    if (names.length === EVENT_VIEWER_COLUMNS.length && names.every((n, i) => n === EVENT_VIEWER_COLUMNS[i])) names.push('Message');
    this.header = names;
    this.index = indexOfNames(names);
    const consumed = nl === -1 ? this.buf.length : nl + 1;
    this.bufBase += consumed;
    this.bufLine += 1;
    this.buf = this.buf.slice(consumed);
    this.parser = this.makeParser();
    return true;
  }

  private makeParser(): PapaCoreParser {
    const ParserCtor = (Papa as unknown as { Parser: new (cfg: object) => PapaCoreParser }).Parser;
    return new ParserCtor({
      delimiter: this.delimiter,
      // Always split on LF: files that mix CRLF and LF rows (concatenated exports) keep every row apart.
      newline: '\n',
      step: (res: StepResult) => this.onRow(res),
    });
  }

  private onRow(res: StepResult): void {
    const row = (Array.isArray(res.data[0]) ? res.data[0] : res.data) as string[];
    const end = res.meta.cursor;
    const start = this.rowStart;
    const line = this.rowLine;
    this.rowLine = line + countNewlines(this.input, start, end);
    this.rowStart = end;
    if (this.holdRows) {
      const prev = this.held;
      this.held = { row, start, end, line, missingQuote: res.errors.some((e) => e.code === 'MissingQuotes') };
      if (prev) this.emitRow(prev.row, prev.start, prev.end, prev.line);
      return;
    }
    this.emitRow(row, start, end, line);
  }

  private emitRow(row: string[], start: number, end: number, line: number): void {
    const header = this.header!;
    if (row.length === 1 && row[0]!.length === 0) return;
    if (row.length === 1 && row[0] === '\r') return;
    if (row.length > 0) {
      // The CR of a CRLF ends up in an unquoted last field; a quoted one (`"..."\r\n`) already excludes it.
      const last = row[row.length - 1]!;
      if (last.charCodeAt(last.length - 1) === 13 && this.input.charCodeAt(end - 3) !== 34) row[row.length - 1] = last.slice(0, -1);
    }
    if (end - start > this.maxRecordChars) {
      this.out.reject('too-large', `record longer than ${this.maxRecordChars} characters`, line, this.bufBase + start);
      return;
    }
    if (row.length !== header.length) {
      this.out.reject(
        'field-count',
        `expected ${header.length} fields, found ${row.length}`,
        line,
        this.bufBase + start,
      );
      return;
    }
    this.out.record(header, row, this.index, undefined, line, this.bufBase + start);
  }
}

