// Streaming splitter for Windows event XML: one `<Event>` element per line or wrapped in `<Events>`.
// Invariant: a DOCTYPE/ENTITY declaration anywhere outside an event stops the file with a located
// E_SECURITY error; inside an event it rejects that record. No entity is ever expanded.

import { HopscopeError } from '../model/errors.ts';
import { flattenWindowsEvent, parseXmlElement, XmlError } from './xml-parse.ts';
import { countNewlinesIn as countNewlines, MAX_RECORD_CHARS, NewlineCursor, type ContainerReader, type ReaderOutput } from './reader.ts';

const OPEN = '<Event';
const CLOSE = '</Event>';

function isEventStart(s: string, i: number): boolean {
  const c = s.charCodeAt(i + OPEN.length);
  return c === 32 || c === 62 || c === 9 || c === 10 || c === 13 || c === 47;
}

export class XmlEventReader implements ContainerReader {
  private buf = '';
  private bufBase = 0;
  /** Line of buf[0]. */
  private bufLine = 1;
  private skipping = false;
  private skipLine = 0;
  private skipOffset = 0;

  constructor(
    private readonly out: ReaderOutput,
    private readonly file?: string,
    private readonly maxRecordChars = MAX_RECORD_CHARS,
  ) {}

  push(text: string): void {
    this.buf = this.buf.length ? this.buf + text : text;
    this.scan(false);
  }

  settledOffset(): number {
    return this.skipping ? Math.min(this.skipOffset, this.bufBase) : this.bufBase;
  }

  end(): void {
    this.scan(true);
    if (this.skipping) {
      this.out.reject('too-large', `event element longer than ${this.maxRecordChars} characters`, this.skipLine, this.skipOffset);
    } else if (this.buf.includes(OPEN)) {
      this.out.reject('xml-syntax', 'event element is not closed at end of input', this.bufLine, this.bufBase);
    }
    this.buf = '';
  }

  /** Next '<!' at or after a position in the current buffer (cached so gap checks stay linear). */
  private nextDecl = -1;

  private scan(final: boolean): void {
    let pos = 0;
    const s = this.buf;
    this.nextDecl = -1;
    const nl = new NewlineCursor(s);
    let line = this.bufLine;
    for (;;) {
      if (this.skipping) {
        const close = s.indexOf(CLOSE, pos);
        if (close === -1) {
          // Drop what is being skipped (keeping a possible partial close tag), or the buffer would grow with
          // the oversized element until the end of the file.
          const keep = Math.max(pos, s.length - (CLOSE.length - 1));
          line += nl.count(pos, keep);
          pos = keep;
          break;
        }
        line += nl.count(pos, close);
        pos = close + CLOSE.length;
        this.skipping = false;
        this.out.reject('too-large', `event element longer than ${this.maxRecordChars} characters`, this.skipLine, this.skipOffset);
        continue;
      }
      let start = s.indexOf(OPEN, pos);
      while (start !== -1 && start + OPEN.length < s.length && !isEventStart(s, start)) start = s.indexOf(OPEN, start + 1);
      const gapEnd = start === -1 ? (final ? s.length : Math.max(pos, s.length - 16)) : start;
      this.checkGap(s, pos, gapEnd, line);
      if (start === -1 || start + OPEN.length >= s.length) {
        if (start === -1) {
          line += nl.count(pos, gapEnd);
          pos = gapEnd;
        } else {
          line += nl.count(pos, start);
          pos = start;
        }
        break;
      }
      line += nl.count(pos, start);
      const close = s.indexOf(CLOSE, start);
      if (close === -1) {
        pos = start;
        if (s.length - start > this.maxRecordChars) {
          this.skipping = true;
          this.skipLine = line;
          this.skipOffset = this.bufBase + start;
          line += nl.count(start, s.length);
          pos = s.length;
        }
        break;
      }
      const end = close + CLOSE.length;
      if (end - start > this.maxRecordChars) {
        this.out.reject('too-large', `event element longer than ${this.maxRecordChars} characters`, line, this.bufBase + start);
      } else this.emit(s.slice(start, end), line, this.bufBase + start);
      line += nl.count(start, end);
      pos = end;
    }
    this.bufLine = line;
    this.bufBase += pos;
    this.buf = pos >= s.length ? '' : s.slice(pos);
  }

  /** Text between events (prologue, `<Events>` wrapper, whitespace) must hold no declarations. */
  private checkGap(s: string, from: number, to: number, line: number): void {
    if (to <= from) return;
    let i = this.nextDecl;
    if (i < from && i !== s.length) i = s.indexOf('<!', from);
    while (i !== -1 && i < to) {
      if (!s.startsWith('<!--', i)) {
        throw new HopscopeError(
          'E_SECURITY',
          'XML declarations (DOCTYPE/ENTITY) are refused: this reader never expands entities',
          { file: this.file, line: line + countNewlines(s, from, i), byteOffset: this.bufBase + i },
        );
      }
      const end = s.indexOf('-->', i + 4);
      if (end === -1 || end >= to) break;
      i = s.indexOf('<!', end + 3);
    }
    this.nextDecl = i === -1 ? s.length : i;
  }

  private emit(text: string, line: number, offset: number): void {
    let root;
    try {
      root = parseXmlElement(text);
    } catch (err) {
      if (err instanceof XmlError) {
        this.out.reject(err.reasonCode, err.message, line + countNewlines(text, 0, err.location?.column ?? 0), offset);
        return;
      }
      throw err;
    }
    const names: string[] = [];
    const values: string[] = [];
    flattenWindowsEvent(root, names, values);
    this.out.record(names, values, null, text, line, offset);
  }
}
