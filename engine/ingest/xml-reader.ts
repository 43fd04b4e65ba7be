// Streaming splitter for Windows event XML: one `<Event>` element per line or wrapped in `<Events>`.
// Invariants: a DOCTYPE/ENTITY declaration anywhere outside an event stops the file with a located E_SECURITY error;
// inside an event it rejects that record. No entity is ever expanded. Every event tag outside a comment is accounted
// for: an `<Event` / `<prefix:Event` start tag is a record (self-closing `<Event/>` included) or a located rejection, an
// end tag without its start (a damaged start tag) is a rejection, and an event start inside a comment is a located
// `xml-commented` rejection, never read. An event ends at the first event end tag after its start (any prefix), or
// where another event starts inside it when it does not parse; parallel-ingest.ts's findEventStart relies on that.

import { HopscopeError } from '../model/errors.ts';
import { flattenWindowsEvent, parseXmlElement, XmlError } from '../xml/parse.ts';
import { countNewlinesIn as countNewlines, MAX_RECORD_CHARS, NewlineCursor, type ContainerReader, type ReaderOutput } from './reader.ts';

const NAME = 'Event';
/** Longest namespace prefix looked at (`<prefix:Event`). */
const PREFIX_MAX = 64;
/** Whitespace allowed before the `>` of an end tag (`</Event  >`). */
const CLOSE_SPACE_MAX = 32;
/** Chars kept at the end of a buffer when nothing more can be decided: a partial tag (`<p:Eve`) starts in them. */
const KEEP = PREFIX_MAX + 16;

/** Reason codes this reader adds (besides `xml-syntax`, `xml-dtd` from the parser and `too-large`). */
export const XML_COMMENTED = 'xml-commented';
/** A comment open at the end of the input or longer than the record limit; a range ending in one was not cut at a record. */
export const XML_COMMENT_OPEN = 'xml-comment-open';

interface Tag {
  open: boolean;
  /** Index of its `<`. */
  at: number;
  /** Start tag: index after `Event`; end tag: index after `>`. */
  end: number;
}
/** The tag cannot be decided before more text arrives. */
interface More {
  more: number;
}

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
const isNameChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c > 127;
const isNameStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 127;

/**
 * The event tag whose name `Event` starts at `i`: `<Event`, `<p:Event` followed by whitespace, `>` or `/`, or
 * `</Event>`, `</p:Event >`. Nothing before `floor` is looked at.
 */
function tagAt(s: string, i: number, floor: number, final: boolean): Tag | More | null {
  let j = i - 1;
  if (j < floor) return null;
  let c = s.charCodeAt(j);
  if (c === 58) {
    let k = j - 1;
    while (k >= floor && k > j - 1 - PREFIX_MAX && isNameChar(s.charCodeAt(k))) k--;
    if (k === j - 1 || k < floor || !isNameStart(s.charCodeAt(k + 1))) return null;
    j = k;
    c = s.charCodeAt(j);
  }
  const after = i + NAME.length;
  if (c === 60) {
    if (after >= s.length) return final ? null : { more: j };
    const d = s.charCodeAt(after);
    return isSpace(d) || d === 62 || d === 47 ? { open: true, at: j, end: after } : null;
  }
  if (c === 47 && j - 1 >= floor && s.charCodeAt(j - 1) === 60) {
    let k = after;
    const lim = Math.min(s.length, after + CLOSE_SPACE_MAX);
    while (k < lim && isSpace(s.charCodeAt(k))) k++;
    if (k >= s.length) return final ? null : { more: j - 1 };
    return s.charCodeAt(k) === 62 ? { open: false, at: j - 1, end: k + 1 } : null;
  }
  return null;
}

/** The first event tag (of the kind asked, or either) whose name starts in [from, to). */
function nextTag(s: string, from: number, to: number, floor: number, final: boolean, want?: 'open' | 'close'): Tag | More | null {
  for (let i = s.indexOf(NAME, from); i !== -1 && i < to; i = s.indexOf(NAME, i + 1)) {
    const t = tagAt(s, i, floor, final);
    if (t === null) continue;
    if ('more' in t || want === undefined || t.open === (want === 'open')) return t;
  }
  return null;
}

/** Where a buffer can be dropped up to when nothing in it is pending: before a `<` near its end. */
function safeCut(s: string, from: number): number {
  const lt = s.indexOf('<', Math.max(from, s.length - KEEP));
  return lt === -1 ? Math.max(from, s.length) : lt;
}

/** Longest event start tag looked at for its end. */
const START_TAG_MAX = 64 * 1024;

/** End of the start tag whose name ends at `from`: `>` outside quotes; a `<` first (or no end) means a damaged tag. */
function startTagEnd(s: string, from: number): { end: number; selfClosing: boolean } | 'damaged' | 'more' {
  const lim = Math.min(s.length, from + START_TAG_MAX);
  if (from + START_TAG_MAX <= s.length) return scanTag(s, from, lim) ?? 'damaged';
  return scanTag(s, from, lim) ?? 'more';
}

function scanTag(s: string, from: number, lim: number): { end: number; selfClosing: boolean } | 'damaged' | null {
  let quote = 0;
  for (let k = from; k < lim; k++) {
    const c = s.charCodeAt(k);
    if (c === 60) return 'damaged';
    if (quote) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 62) return { end: k + 1, selfClosing: s.charCodeAt(k - 1) === 47 };
  }
  return null;
}

export class XmlEventReader implements ContainerReader {
  private buf = '';
  private bufBase = 0;
  /** Line of buf[0]. */
  private bufLine = 1;
  private skipping = false;
  private skipLine = 0;
  private skipOffset = 0;
  /** Inside a comment between events. */
  private inComment = false;
  private commentLine = 0;
  private commentOffset = 0;
  /** The open comment was reported (too long); event starts in it are reported as they are found. */
  private commentReported = false;
  /** Lines and offsets of event starts in the open comment, reported once it closes (offsets only go forward). */
  private commented: number[] = [];
  /** The buffer starts with an event whose end has not arrived. */
  private pendingEvent = false;

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
    if (this.skipping) return Math.min(this.skipOffset, this.bufBase);
    if (this.inComment && !this.commentReported) return Math.min(this.commentOffset, this.bufBase);
    return this.bufBase;
  }

  end(): void {
    this.scan(true);
    if (this.skipping) {
      this.out.reject('too-large', `event element longer than ${this.maxRecordChars} characters`, this.skipLine, this.skipOffset);
    } else if (this.inComment) {
      if (!this.commentReported) this.out.reject(XML_COMMENT_OPEN, 'comment not closed at end of input', this.commentLine, this.commentOffset);
      this.flushCommented();
    } else if (this.pendingEvent) {
      this.out.reject('xml-syntax', 'event element is not closed at end of input', this.bufLine, this.bufBase);
    }
    this.buf = '';
  }

  /** Next '<!' at or after a position in the current buffer (cached so searches stay linear). */
  private nextDecl = -1;

  private scan(final: boolean): void {
    const s = this.buf;
    const base = this.bufBase;
    this.nextDecl = -1;
    const nl = new NewlineCursor(s);
    let pos = 0;
    let line = this.bufLine;
    /** Line of a position at or after `pos`, moving `pos` there. */
    const moveTo = (p: number): number => {
      line += nl.count(pos, p);
      pos = p;
      return line;
    };
    this.pendingEvent = false;
    for (;;) {
      if (this.skipping) {
        const close = nextTag(s, pos, s.length, pos, final, 'close');
        if (close === null || 'more' in close) {
          // Drop what is being skipped (keeping a possible partial end tag), or the buffer would grow with the
          // oversized element until the end of the file.
          moveTo(close ? close.more : final ? s.length : safeCut(s, pos));
          break;
        }
        moveTo(close.end);
        this.skipping = false;
        this.out.reject('too-large', `event element longer than ${this.maxRecordChars} characters`, this.skipLine, this.skipOffset);
        continue;
      }
      if (this.inComment) {
        const close = s.indexOf('-->', pos);
        const to = close !== -1 ? close : final ? s.length : Math.min(safeCut(s, pos), Math.max(pos, s.length - 2));
        for (let t = nextTag(s, pos, to, pos, true, 'open'); t !== null && !('more' in t) && t.at < to; t = nextTag(s, t.end, to, pos, true, 'open')) {
          const tl = moveTo(t.at);
          if (this.commentReported) this.out.reject(XML_COMMENTED, 'event inside an XML comment: not read', tl, base + t.at);
          else this.commented.push(tl, base + t.at);
        }
        if (close === -1) {
          moveTo(to);
          if (!this.commentReported && base + pos - this.commentOffset > this.maxRecordChars) {
            this.commentReported = true;
            this.out.reject(XML_COMMENT_OPEN, `comment longer than ${this.maxRecordChars} characters`, this.commentLine, this.commentOffset);
            this.flushCommented();
          }
          break;
        }
        moveTo(close + 3);
        this.inComment = false;
        if (!this.commentReported) {
          // Said whatever the chunking: also when the whole comment arrived at once.
          if (base + close + 3 - this.commentOffset > this.maxRecordChars) {
            this.out.reject(XML_COMMENT_OPEN, `comment longer than ${this.maxRecordChars} characters`, this.commentLine, this.commentOffset);
          }
          this.flushCommented();
        }
        continue;
      }
      // Between events: the next event tag or declaration, whichever comes first.
      const tag = nextTag(s, pos, s.length, pos, final);
      const tagPos = tag === null ? s.length : 'more' in tag ? tag.more : tag.at;
      if (this.nextDecl < pos && this.nextDecl !== s.length) {
        const d = s.indexOf('<!', pos);
        this.nextDecl = d === -1 ? s.length : d;
      }
      const decl = this.nextDecl;
      if (decl < tagPos) {
        if (!final && decl + 4 > s.length) {
          moveTo(decl);
          break;
        }
        const dl = moveTo(decl);
        if (!s.startsWith('<!--', decl)) {
          throw new HopscopeError(
            'E_SECURITY',
            'XML declarations (DOCTYPE/ENTITY) are refused: this reader never expands entities',
            { file: this.file, line: dl, byteOffset: base + decl },
          );
        }
        this.inComment = true;
        this.commentReported = false;
        this.commentLine = dl;
        this.commentOffset = base + decl;
        moveTo(decl + 4);
        continue;
      }
      if (tag === null) {
        moveTo(final ? s.length : safeCut(s, pos));
        break;
      }
      if ('more' in tag) {
        moveTo(tag.more);
        break;
      }
      const tl = moveTo(tag.at);
      if (!tag.open) {
        this.out.reject('xml-syntax', 'event end tag without its start tag (a damaged start tag?)', tl, base + tag.at);
        moveTo(tag.end);
        continue;
      }
      if (!this.event(s, tag, line, final)) {
        this.pendingEvent = true;
        break;
      }
      moveTo(this.eventEnd);
    }
    this.bufLine = line;
    this.bufBase += pos;
    this.buf = pos >= s.length ? '' : s.slice(pos);
  }

  /** Where the last event handled by event() ended (the scan resumes there). */
  private eventEnd = 0;

  /** Reads the event starting at `open`; false when its end has not arrived yet. */
  private event(s: string, open: Tag, line: number, final: boolean): boolean {
    const start = open.at;
    const base = this.bufBase;
    const head = startTagEnd(s, open.end);
    if (head !== 'damaged' && head !== 'more' && head.selfClosing) {
      this.emit(s, start, head.end, line, base + start);
      this.eventEnd = head.end;
      return true;
    }
    const close = nextTag(s, open.end, s.length, open.end, final, 'close');
    const max = this.maxRecordChars;
    const closed = close !== null && !('more' in close);
    if ((closed ? close.end : s.length) - start > max) {
      // Too large. Another event starting within the limit means this one lost its end tag: it is read on its own.
      const inner = this.innerStart(s, start, Math.min(start + max, closed ? close.at : s.length));
      if (inner !== -1) {
        this.out.reject('xml-syntax', 'event element is not closed before the next event starts', line, base + start);
        this.eventEnd = inner;
      } else if (closed) {
        this.out.reject('too-large', `event element longer than ${max} characters`, line, base + start);
        this.eventEnd = close.end;
      } else {
        this.skipping = true;
        this.skipLine = line;
        this.skipOffset = base + start;
        // The scan resumes in skipping mode from here.
        this.eventEnd = start + 1;
      }
      return true;
    }
    if (!closed) {
      if (!final) return false;
      const inner = this.innerStart(s, start, s.length);
      this.out.reject('xml-syntax', inner === -1 ? 'event element is not closed at end of input' : 'event element is not closed before the next event starts', line, base + start);
      this.eventEnd = inner === -1 ? s.length : inner;
      return true;
    }
    this.eventEnd = this.emit(s, start, close.end, line, base + start);
    return true;
  }

  /** The first event start tag after the one at `start` whose `<` is before `to`, or -1. */
  private innerStart(s: string, start: number, to: number): number {
    const t = nextTag(s, start + NAME.length + 1, to, start + 1, true, 'open');
    return t !== null && !('more' in t) && t.at < to ? t.at : -1;
  }

  /** Emits s[start, end) as one event, or rejects it; returns where the scan resumes. */
  private emit(s: string, start: number, end: number, line: number, offset: number): number {
    const text = s.slice(start, end);
    let root;
    try {
      root = parseXmlElement(text);
    } catch (err) {
      if (err instanceof XmlError) {
        // Another event starting inside one that does not parse (a damaged end tag): it is read on its own.
        const inner = this.innerStart(s, start, end);
        const stop = inner !== -1 ? inner : end;
        const column = Math.min(err.location?.column ?? 0, stop - start);
        const reason = stop < end ? `${err.message} (the next event starts inside it)` : err.message;
        this.out.reject(err.reasonCode, reason, line + countNewlines(text, 0, column), offset);
        return stop;
      }
      throw err;
    }
    const names: string[] = [];
    const values: string[] = [];
    flattenWindowsEvent(root, names, values);
    this.out.record(names, values, null, text, line, offset);
    return end;
  }

  private flushCommented(): void {
    const c = this.commented;
    for (let k = 0; k < c.length; k += 2) this.out.reject(XML_COMMENTED, 'event inside an XML comment: not read', c[k]!, c[k + 1]!);
    this.commented = [];
  }
}
