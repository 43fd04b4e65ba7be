// Streaming JSON readers: NDJSON (one object per line, trailing commas, Splunk `{"result":{...}}` lines) and
// JSON arrays / concatenated objects split by an incremental scanner that respects strings and nesting.
// Invariant: the whole input is never held in one string; a bad or oversized element is a located rejection.

import { flattenJson, MAX_JSON_DEPTH } from './flatten.ts';
import { MAX_RECORD_CHARS, type ContainerReader, type ReaderOutput } from './reader.ts';

/** Keys whose array value holds the records in API/search exports (Splunk REST, Defender API, Elastic hits). */
const WRAPPER_KEYS: ReadonlySet<string> = new Set(['results', 'Results', 'events', 'Events', 'records', 'Records', 'hits', 'value']);

/** Envelope metadata that may sit beside the records array (Splunk REST, Defender API, Elastic, OData). */
const ENVELOPE_KEYS: ReadonlySet<string> = new Set([
  'preview', 'init_offset', 'offset', 'messages', 'fields', 'highlighted', 'post_process_count', 'lastrow',
  'Schema', 'Stats', 'took', 'timed_out', '_shards', 'total', 'max_score', '@odata.context', '@odata.nextLink',
]);

/** Parses one object's text and emits it flattened; Splunk's `{"result":{...}}` wrapper is unwrapped. */
function emitObject(out: ReaderOutput, text: string, line: number, charOffset: number): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    out.reject('bad-json', `invalid JSON: ${msg.slice(0, 200)}`, line, charOffset);
    return;
  }
  emitParsed(out, parsed, text, line, charOffset, 0);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A small object holding the records in one array (`{"results":[...]}`, `{"hits":{"hits":[...]}}`). */
function wrappedRecords(obj: Record<string, unknown>): unknown[] | null {
  const keys = Object.keys(obj);
  // Every other key must be envelope metadata, so a record that merely has an `events` array stays a record.
  if (keys.length > 8 || !keys.every((k) => WRAPPER_KEYS.has(k) || ENVELOPE_KEYS.has(k))) return null;
  for (const key of WRAPPER_KEYS) {
    let v = obj[key];
    if (isPlainObject(v) && Array.isArray(v[key])) v = v[key];
    if (Array.isArray(v) && v.length > 0 && v.every(isPlainObject)) return v;
  }
  return null;
}

function emitParsed(out: ReaderOutput, parsed: unknown, text: string, line: number, charOffset: number, depth: number): void {
  if (!isPlainObject(parsed)) {
    out.reject('not-object', 'JSON element is not an object', line, charOffset);
    return;
  }
  let obj = parsed;
  const inner = depth === 0 ? wrappedRecords(obj) : null;
  if (inner) {
    for (const el of inner) emitParsed(out, el, JSON.stringify(el), line, charOffset, 1);
    return;
  }
  // An Elastic search hit: the event is `_source`; keep the hit's id and index beside it.
  const source = obj['_source'];
  if (isPlainObject(source) && ('_index' in obj || '_id' in obj)) {
    obj = { ...source, _index: obj['_index'], _id: obj['_id'] };
  }
  const result = obj['result'];
  if (result !== null && typeof result === 'object' && !Array.isArray(result) && ('preview' in obj || Object.keys(obj).length <= 3)) {
    obj = result as Record<string, unknown>;
  }
  const names: string[] = [];
  const values: string[] = [];
  flattenJson(obj, names, values);
  out.record(names, values, null, text, line, charOffset);
}

/** Brackets that open a level: depth never exceeds how many of them the text holds. */
const OPENING = ['{', '['];

/** True when brackets outside strings in `s` nest deeper than `max` (the text need not be valid JSON). */
function nestedDeeperThan(s: string, max: number): boolean {
  // Counting the opening brackets (in strings or not) with the native indexOf settles almost every record without
  // the character loop below (which was ~18 % of an NDJSON ingest).
  let opening = 0;
  for (const ch of OPENING) {
    for (let i = s.indexOf(ch); i !== -1 && opening <= max; i = s.indexOf(ch, i + 1)) opening++;
  }
  if (opening <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** One JSON object per line. */
export class NdjsonReader implements ContainerReader {
  private buf = '';
  private bufBase = 0;
  private line = 1;
  private skipping = false;

  constructor(
    private readonly out: ReaderOutput,
    private readonly maxRecordChars = MAX_RECORD_CHARS,
  ) {}

  push(text: string): void {
    this.buf = this.buf.length ? this.buf + text : text;
    let pos = 0;
    for (;;) {
      const nl = this.buf.indexOf('\n', pos);
      if (nl === -1) break;
      this.handleLine(pos, nl);
      pos = nl + 1;
      this.line++;
    }
    if (pos > 0) {
      this.bufBase += pos;
      this.buf = this.buf.slice(pos);
    }
    if (this.buf.length > this.maxRecordChars) {
      if (!this.skipping) this.out.reject('too-large', `line longer than ${this.maxRecordChars} characters`, this.line, this.bufBase);
      this.skipping = true;
      this.bufBase += this.buf.length;
      this.buf = '';
    }
  }

  end(): void {
    if (this.buf.length) this.handleLine(0, this.buf.length);
    this.buf = '';
  }

  settledOffset(): number {
    return this.bufBase;
  }

  private handleLine(from: number, to: number): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    let a = from;
    let b = to;
    const s = this.buf;
    while (a < b && s.charCodeAt(a) <= 32) a++;
    if (a < b && s.charCodeAt(a) === 0xfeff) a++;
    while (b > a && s.charCodeAt(b - 1) <= 32) b--;
    if (b > a && s.charCodeAt(b - 1) === 44) b--;
    if (a === b) return;
    if (b - a > this.maxRecordChars) {
      this.out.reject('too-large', `line longer than ${this.maxRecordChars} characters`, this.line, this.bufBase + from);
      return;
    }
    const first = s.charCodeAt(a);
    // Tolerate the brackets of a JSON array written one element per line.
    if (b - a === 1 && (first === 91 || first === 93)) return;
    if (first === 91 && s.charCodeAt(a + 1) === 123) a++;
    if (s.charCodeAt(b - 1) === 93 && s.charCodeAt(b - 2) === 125) b--;
    // Depth is checked before parsing: flattening (JSON.stringify of deep values) would overflow the stack.
    // The slack admits a Splunk `{"result":{...}}` or `{"results":[...]}` wrapper around a record at the limit.
    // On the line's own text, so the bracket count stops at its end instead of searching the rest of the buffer.
    const text = s.slice(a, b);
    if (nestedDeeperThan(text, MAX_JSON_DEPTH + 3)) {
      this.out.reject('too-deep', `JSON element nested deeper than ${MAX_JSON_DEPTH} levels`, this.line, this.bufBase + from);
      return;
    }
    emitObject(this.out, text, this.line, this.bufBase + from);
  }
}

/**
 * JSON array (`[{...},{...}]`) or concatenated objects (pretty-printed, evtx_dump's `Record N` separators).
 * Scans characters once, tracking depth and strings; elements are parsed one at a time.
 */
export class JsonStreamReader implements ContainerReader {
  private buf = '';
  private bufBase = 0;
  /** Scan position within buf. */
  private pos = 0;
  private line = 1;
  private depth = 0;
  private maxDepth = 0;
  private inString = false;
  private escape = false;
  private elemStart = -1;
  private elemLine = 1;
  private topArray = false;
  private seenTop = false;
  private skippingLarge = false;
  private skipStartOffset = 0;
  /** Depth at which record elements open: 0, or inside a wrapper array (`{"results":[ ... ]}`). */
  private elemDepth = 0;
  /** Wrapper detection, only before the first record: the last short key seen at depths 1-3. */
  private wrapperPossible = true;
  private keyStart = -1;
  private lastKey = '';
  private lastKeyDepth = -1;
  /** Every key of the top-level object so far is envelope metadata (so it may be a wrapper). */
  private envelopeOnly = true;

  constructor(
    private readonly out: ReaderOutput,
    private readonly maxRecordChars = MAX_RECORD_CHARS,
  ) {}

  push(text: string): void {
    this.buf = this.buf.length ? this.buf + text : text;
    this.scan();
    this.compact();
  }

  settledOffset(): number {
    return this.skippingLarge ? Math.min(this.skipStartOffset, this.bufBase) : this.bufBase;
  }

  end(): void {
    this.scan();
    if (this.elemStart !== -1 || this.skippingLarge) {
      this.out.reject('bad-json', 'JSON element is not closed at end of input', this.elemLine, this.bufBase + Math.max(0, this.elemStart));
    }
    this.buf = '';
  }

  private compact(): void {
    const keepFrom = this.elemStart === -1 ? this.pos : this.elemStart;
    if (keepFrom > 0) {
      this.keyStart -= keepFrom;
      this.bufBase += keepFrom;
      this.buf = this.buf.slice(keepFrom);
      this.pos -= keepFrom;
      if (this.elemStart !== -1) this.elemStart -= keepFrom;
    }
    if (this.elemStart !== -1 && this.buf.length > this.maxRecordChars) {
      // Too large to hold: keep scanning for its end without keeping its text.
      if (!this.skippingLarge) {
        this.skippingLarge = true;
        this.skipStartOffset = this.bufBase + this.elemStart;
      }
      this.bufBase += this.pos;
      this.buf = this.buf.slice(this.pos);
      this.pos = 0;
      this.elemStart = 0;
    }
  }

  private scan(): void {
    const s = this.buf;
    let i = this.pos;
    const n = s.length;
    // Next quote / backslash positions, cached so string bodies are skipped in linear time overall.
    let nextQ = -1;
    let nextBs = -1;
    while (i < n) {
      if (this.inString) {
        if (this.escape) {
          this.escape = false;
          i++;
          continue;
        }
        if (nextQ < i) {
          nextQ = s.indexOf('"', i);
          if (nextQ === -1) nextQ = n;
        }
        if (nextBs < i) {
          nextBs = s.indexOf('\\', i);
          if (nextBs === -1) nextBs = n;
        }
        if (nextBs < nextQ) {
          if (nextBs + 1 >= n) {
            this.escape = true;
            i = n;
            break;
          }
          i = nextBs + 2;
          continue;
        }
        if (nextQ === n) {
          i = n;
          break;
        }
        this.inString = false;
        if (this.keyStart >= 0 && nextQ - this.keyStart <= 40) {
          this.lastKey = s.slice(this.keyStart + 1, nextQ);
          this.lastKeyDepth = this.depth;
        }
        this.keyStart = -1;
        i = nextQ + 1;
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === 10) {
        this.line++;
        i++;
        continue;
      }
      if (c === 34) {
        this.inString = true;
        if (this.wrapperPossible && this.depth >= 1 && this.depth <= 3) this.keyStart = i;
        i++;
        continue;
      }
      if (c === 123 || c === 91) {
        // Only a top-level object can be a wrapper (never a record inside a top-level array); below depth 1
        // only Elastic's `hits.hits` shape counts.
        if (
          c === 91 && this.wrapperPossible && this.envelopeOnly && !this.topArray && this.elemDepth === 0 &&
          this.lastKeyDepth === this.depth &&
          (this.depth === 1 ? WRAPPER_KEYS.has(this.lastKey) : this.depth === 2 && this.lastKey === 'hits')
        ) {
          // `{"results": [` : the array's elements are the records, the wrapper object is not.
          this.elemStart = -1;
          this.depth++;
          this.elemDepth = this.depth;
          this.wrapperPossible = false;
          i++;
          continue;
        }
        this.lastKeyDepth = -1;
        if (!this.seenTop) {
          this.seenTop = true;
          if (c === 91) {
            this.topArray = true;
            i++;
            continue;
          }
        }
        if (this.depth === this.elemDepth && this.elemStart === -1) {
          this.elemStart = i;
          this.elemLine = this.line;
          this.maxDepth = 0;
        }
        this.depth++;
        if (this.depth - this.elemDepth > this.maxDepth) this.maxDepth = this.depth - this.elemDepth;
        i++;
        continue;
      }
      if (c === 125 || c === 93) {
        this.lastKeyDepth = -1;
        if (this.depth === 0) {
          // Closing bracket of the top-level array, or stray text between objects.
          i++;
          continue;
        }
        this.depth--;
        i++;
        if (this.depth < this.elemDepth) {
          // The wrapper array closed; what remains of the wrapper object is not a record.
          this.elemDepth = 0;
        } else if (this.depth === this.elemDepth && this.elemStart !== -1) this.finishElement(i);
        continue;
      }
      // A value after `"key":` other than an array ends wrapper candidacy for that key.
      if (c === 58) {
        if (this.depth === 1 && this.lastKeyDepth === 1 && !WRAPPER_KEYS.has(this.lastKey) && !ENVELOPE_KEYS.has(this.lastKey)) {
          this.envelopeOnly = false;
        }
      } else if (c > 32) this.lastKeyDepth = -1;
      // Anything else at depth 0 (commas, scalars, evtx_dump's `Record 12` lines) is not a record: skip it.
      i++;
    }
    this.pos = i;
  }

  private finishElement(endPos: number): void {
    const start = this.elemStart;
    this.elemStart = -1;
    this.wrapperPossible = false;
    const offset = this.skippingLarge ? this.skipStartOffset : this.bufBase + start;
    if (this.skippingLarge) {
      this.skippingLarge = false;
      this.out.reject('too-large', `JSON element longer than ${this.maxRecordChars} characters`, this.elemLine, offset);
      return;
    }
    if (endPos - start > this.maxRecordChars) {
      this.out.reject('too-large', `JSON element longer than ${this.maxRecordChars} characters`, this.elemLine, offset);
      return;
    }
    if (this.maxDepth > MAX_JSON_DEPTH) {
      this.out.reject('too-deep', `JSON element nested deeper than ${MAX_JSON_DEPTH} levels`, this.elemLine, offset);
      return;
    }
    emitObject(this.out, this.buf.slice(start, endPos), this.elemLine, offset);
  }
}

