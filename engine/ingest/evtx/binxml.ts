// BinXML (the binary XML inside EVTX records): parsed once per chunk offset into a small node tree (templates are
// cached per definition offset, names per name offset), then rendered to text the way libfwevt prints it:
// two-space indents, one element per line; an element with text is `<a>text</a>` on one line, one with child
// elements opens, indents its children and closes on its own line, one with neither is `<a/>`.
// Everything here reads through bounds-checked offsets inside one 64 KiB chunk and throws BinXmlError (never
// anything else) on data it cannot render; recursion is bounded by MAX_DEPTH and output by the record's budget.

import {
  VT_ARRAY, VT_BINXML, VT_NULL, VT_STRING, fixedSize, hexUpper, scalarString, utf16String,
} from './values.ts';
import type { XmlNode } from '../../xml/parse.ts';

function localName(qname: string): string {
  const c = qname.indexOf(':');
  return c === -1 ? qname : qname.slice(c + 1);
}

/** Names the app's XML parser reads as one name (xml-parse.ts isNameChar); others make its text malformed. */
const XML_NAME = /^[A-Za-z0-9_:.\-\u0080-\uffff]+$/;

export class BinXmlError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** Deepest nesting of elements, template instances and embedded BinXML values together. */
export const MAX_DEPTH = 48;
/** Most characters one record may render to (a template may repeat a large value: bounded). */
export const MAX_RECORD_CHARS = 4 * 1024 * 1024;
/** Most characters all records of one chunk may render to (real chunks: well under 2 Mi). */
export const MAX_CHUNK_CHARS = 32 * 1024 * 1024;
/** Most BinXML tokens parsed per chunk, templates and embedded fragments included (real chunks: under 64 Ki). */
export const MAX_CHUNK_TOKENS = 1024 * 1024;

const K_EL = 1;
const K_TEXT = 2;
const K_SUBST = 3;
const K_CDATA = 4;
const K_CHARREF = 5;
const K_ENTREF = 6;
const K_PI = 7;
const K_TI = 8;

interface ElNode {
  k: typeof K_EL;
  name: string;
  open: string;
  close: string;
  attrs: AttrNode[];
  children: Node[];
}
interface AttrNode {
  name: string;
  /** ' Name="' */
  prefix: string;
  parts: Node[];
}
interface TextNode { k: typeof K_TEXT; text: string; esc: string; escAttr: string }
interface SubstNode { k: typeof K_SUBST; index: number; optional: boolean; declared: number }
interface CDataNode { k: typeof K_CDATA; text: string }
interface CharRefNode { k: typeof K_CHARREF; code: number }
interface EntRefNode { k: typeof K_ENTREF; name: string }
interface PINode { k: typeof K_PI; target: string; data: string }
interface TINode { k: typeof K_TI; tmpl: Template; vals: Values }
type Node = ElNode | TextNode | SubstNode | CDataNode | CharRefNode | EntRefNode | PINode | TINode;

interface Template {
  offset: number;
  nodes: Node[];
}
interface Values {
  count: number;
  offs: number[];
  sizes: number[];
  types: number[];
}

const INDENT: string[] = [''];
for (let i = 1; i <= MAX_DEPTH + 2; i++) INDENT.push(INDENT[i - 1] + '  ');

const ESC_TEXT_RE = /[&<>]/;
const ESC_ATTR_RE = /[&<>"]/;
export function escText(s: string): string {
  if (!ESC_TEXT_RE.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
export function escAttr(s: string): string {
  if (!ESC_ATTR_RE.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const WS_ONLY = /^[\r\n]*$/;
const TEMPLATE_FAILED = Symbol('failed');

/** Per-chunk parse state: the chunk's bytes and its caches. Create one per chunk; reuse it for all its records. */
export class BinXmlChunk {
  readonly b: Uint8Array;
  readonly len: number;
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, Template | typeof TEMPLATE_FAILED | null>();
  private readonly templateErrors = new Map<number, string>();
  private readonly fragments = new Map<number, Node[]>();
  private budget = 0;
  private renderDepth = 0;
  // The element tree of the record being rendered, as the app's XML parser would read the text (xml-parse.ts
  // XmlNode: local names, raw values, no xmlns attributes), so the record need not be parsed again. Null when the
  // record holds what the tree does not model exactly (CDATA, processing instructions, character or entity
  // references): the caller then parses the text.
  private building = false;
  private treeRoot: XmlNode | null = null;
  private treeParent: XmlNode | null = null;
  private treeExotic = false;
  /** The raw (unescaped) text of the last value valueText returned. */
  private lastRaw = '';
  /** The tree of the last record renderRecord(…, true) rendered, or null. */
  lastTree: XmlNode | null = null;
  private chunkBudget = MAX_CHUNK_CHARS;
  private tokens = 0;

  constructor(bytes: Uint8Array) {
    this.b = bytes;
    this.len = bytes.length;
  }

  private u16(o: number): number {
    return this.b[o]! | (this.b[o + 1]! << 8);
  }
  private u32(o: number): number {
    const b = this.b;
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  }
  private need(p: number, n: number, end: number, what: string): void {
    if (p + n > end) throw new BinXmlError(`${what} runs past the end of its data`, p);
  }

  /** The name stored at `off` (next offset, hash, count, UTF-16 chars, NUL), cached. */
  private nameAt(off: number): string {
    const cached = this.names.get(off);
    if (cached !== undefined) return cached;
    if (off < 0 || off + 8 > this.len) throw new BinXmlError(`name offset 0x${off.toString(16)} outside the chunk`, off);
    const n = this.u16(off + 6);
    if (off + 8 + n * 2 > this.len) throw new BinXmlError(`name at 0x${off.toString(16)} runs past the chunk`, off);
    const s = utf16String(this.b, off + 8, n);
    this.names.set(off, s);
    return s;
  }

  /** Reads a name reference at p (u32 offset); an inline name (offset == p + 4) is skipped. Returns [name, p']. */
  private nameRef(p: number, end: number): [string, number] {
    this.need(p, 4, end, 'name reference');
    const off = this.u32(p);
    p += 4;
    if (off === p) {
      this.need(p, 8, end, 'inline name');
      const n = this.u16(p + 6);
      this.need(p, 10 + n * 2, end, 'inline name');
      const name = this.nameAt(off);
      return [name, p + 10 + n * 2];
    }
    return [this.nameAt(off), p];
  }

  private string16(p: number, end: number, what: string): [string, number] {
    this.need(p, 2, end, what);
    const n = this.u16(p);
    this.need(p + 2, n * 2, end, what);
    return [utf16String(this.b, p + 2, n), p + 2 + n * 2];
  }

  /**
   * Parses tokens from p into `out` until EOF (0x00) or `end` (fragment level), or until the end-element token
   * (inElement). Returns the position after the last token read.
   */
  private parseNodes(p: number, end: number, depth: number, inElement: boolean, out: Node[]): number {
    if (depth > MAX_DEPTH) throw new BinXmlError(`BinXML nested deeper than ${MAX_DEPTH}`, p);
    const b = this.b;
    for (;;) {
      if (++this.tokens > MAX_CHUNK_TOKENS) throw new BinXmlError(`chunk holds more than ${MAX_CHUNK_TOKENS} BinXML tokens`, p);
      if (p >= end) {
        if (inElement) throw new BinXmlError('element not closed before the end of its data', p);
        return p;
      }
      const tok = b[p]!;
      switch (tok) {
        case 0x00:
          if (inElement) throw new BinXmlError('end of fragment inside an element', p);
          return p + 1;
        case 0x04:
          if (!inElement) throw new BinXmlError('end element token outside an element', p);
          return p + 1;
        case 0x0f:
          this.need(p, 4, end, 'fragment header');
          p += 4;
          break;
        case 0x0c:
          p = this.parseTemplateInstance(p, end, depth + 1, out);
          // A fragment holds one template instance or one element: libfwevt and python-evtx read no further
          // (seen: a forwarded event's RenderingInfo in a second instance after the EventData one).
          if (!inElement) return p < end && b[p] === 0x00 ? p + 1 : p;
          break;
        case 0x01:
        case 0x41:
          p = this.parseElement(p, end, depth + 1, out);
          if (!inElement) return p < end && b[p] === 0x00 ? p + 1 : p;
          break;
        case 0x05:
        case 0x45: {
          this.need(p, 2, end, 'value');
          if (b[p + 1] !== VT_STRING) throw new BinXmlError(`value token of type 0x${b[p + 1]!.toString(16)} (only strings are defined)`, p);
          const [s, q] = this.string16(p + 2, end, 'value');
          out.push(textNode(s));
          p = q;
          break;
        }
        case 0x07:
        case 0x47: {
          const [s, q] = this.string16(p + 1, end, 'CDATA');
          out.push({ k: K_CDATA, text: s });
          p = q;
          break;
        }
        case 0x08:
        case 0x48:
          this.need(p, 3, end, 'character reference');
          out.push({ k: K_CHARREF, code: this.u16(p + 1) });
          p += 3;
          break;
        case 0x09:
        case 0x49: {
          const [name, q] = this.nameRef(p + 1, end);
          out.push({ k: K_ENTREF, name });
          p = q;
          break;
        }
        case 0x0a: {
          const [target, q] = this.nameRef(p + 1, end);
          p = q;
          let data = '';
          if (p < end && b[p] === 0x0b) {
            const [d, q2] = this.string16(p + 1, end, 'PI data');
            data = d;
            p = q2;
          }
          out.push({ k: K_PI, target, data });
          break;
        }
        case 0x0d:
        case 0x0e:
          this.need(p, 4, end, 'substitution');
          out.push({ k: K_SUBST, index: this.u16(p + 1), optional: tok === 0x0e, declared: b[p + 3]! });
          p += 4;
          break;
        default:
          throw new BinXmlError(`unknown BinXML token 0x${tok.toString(16).padStart(2, '0')}`, p);
      }
    }
  }

  private parseElement(p: number, end: number, depth: number, out: Node[]): number {
    if (depth > MAX_DEPTH) throw new BinXmlError(`BinXML nested deeper than ${MAX_DEPTH}`, p);
    const b = this.b;
    const tok = b[p]!;
    this.need(p, 9, end, 'element');
    // token, dependency id (u16), data size (u32), name offset (u32). Some writers leave the dependency id out
    // (elements outside templates): the name offset then sits 2 bytes earlier. The layout whose name offset
    // points at its own inline name, or back at a name already in the chunk, is the one used.
    let at = p + 7;
    if (p + 11 <= end) {
      const withDep = this.u32(p + 7);
      const noDep = this.u32(p + 5);
      if (withDep !== p + 11 && (noDep === p + 9 || (withDep >= p && noDep < p))) at = p + 5;
    } else at = p + 5;
    let [name, q] = this.nameRef(at, end);
    const attrs: AttrNode[] = [];
    if (tok & 0x40) {
      this.need(q, 4, end, 'attribute list');
      q += 4;
      while (q < end && (b[q]! & 0xbf) === 0x06) {
        const [aname, q2] = this.nameRef(q + 1, end);
        q = q2;
        const parts: Node[] = [];
        while (q < end) {
          const t = b[q]!;
          if (t === 0x05 || t === 0x45) {
            this.need(q, 2, end, 'attribute value');
            if (b[q + 1] !== VT_STRING) throw new BinXmlError(`attribute value of type 0x${b[q + 1]!.toString(16)}`, q);
            const [s, q3] = this.string16(q + 2, end, 'attribute value');
            parts.push(textNode(s));
            q = q3;
          } else if (t === 0x0d || t === 0x0e) {
            this.need(q, 4, end, 'substitution');
            parts.push({ k: K_SUBST, index: this.u16(q + 1), optional: t === 0x0e, declared: b[q + 3]! });
            q += 4;
          } else if (t === 0x08 || t === 0x48) {
            this.need(q, 3, end, 'character reference');
            parts.push({ k: K_CHARREF, code: this.u16(q + 1) });
            q += 3;
          } else if (t === 0x09 || t === 0x49) {
            const [ename, q3] = this.nameRef(q + 1, end);
            parts.push({ k: K_ENTREF, name: ename });
            q = q3;
          } else break;
        }
        attrs.push({ name: aname, prefix: ' ' + aname + '="', parts });
      }
    }
    if (q >= end) throw new BinXmlError(`element <${name}> not closed`, q);
    const el: ElNode = { k: K_EL, name, open: '<' + name, close: '</' + name + '>\n', attrs, children: [] };
    const t = b[q]!;
    if (t === 0x03) q += 1;
    else if (t === 0x02) q = this.parseNodes(q + 1, end, depth, true, el.children);
    else throw new BinXmlError(`element <${name}>: expected close start tag, found token 0x${t.toString(16).padStart(2, '0')}`, q);
    out.push(el);
    return q;
  }

  private parseTemplateInstance(p: number, end: number, depth: number, out: Node[]): number {
    if (depth > MAX_DEPTH) throw new BinXmlError(`BinXML nested deeper than ${MAX_DEPTH}`, p);
    this.need(p, 10, end, 'template instance');
    const defOff = this.u32(p + 6);
    let q = p + 10;
    if (defOff === q) {
      this.need(q, 24, end, 'template definition');
      const size = this.u32(q + 20);
      if (size > end - q - 24) throw new BinXmlError('template definition runs past the end of its data', q);
      q += 24 + size;
    }
    const tmpl = this.template(defOff, depth);
    this.need(q, 4, end, 'template values');
    const count = this.u32(q);
    q += 4;
    if (count > (end - q) / 4) throw new BinXmlError(`template instance claims ${count} values`, q);
    // Plain arrays: cheaper than three typed arrays for the few values of one record.
    const offs: number[] = [];
    const sizes: number[] = [];
    const types: number[] = [];
    let v = q + count * 4;
    for (let i = 0; i < count; i++) {
      const size = this.u16(q + 4 * i);
      sizes.push(size);
      types.push(this.b[q + 4 * i + 2]!);
      offs.push(v);
      v += size;
    }
    const vals: Values = { count, offs, sizes, types };
    if (v > end) throw new BinXmlError('template values run past the end of the record', q);
    out.push({ k: K_TI, tmpl, vals });
    return v;
  }

  private template(off: number, depth: number): Template {
    const cached = this.templates.get(off);
    if (cached) {
      if (cached === TEMPLATE_FAILED) throw new BinXmlError(this.templateErrors.get(off) ?? 'bad template', off);
      return cached;
    }
    if (cached === null) throw new BinXmlError(`template at 0x${off.toString(16)} refers to itself`, off);
    if (off < 0 || off + 24 > this.len) throw new BinXmlError(`template offset 0x${off.toString(16)} outside the chunk`, off);
    const size = this.u32(off + 20);
    const start = off + 24;
    if (size > this.len - start) throw new BinXmlError(`template at 0x${off.toString(16)} runs past the chunk`, off);
    this.templates.set(off, null);
    try {
      const nodes: Node[] = [];
      this.parseNodes(start, start + size, depth + 1, false, nodes);
      const t: Template = { offset: off, nodes };
      this.templates.set(off, t);
      return t;
    } catch (e) {
      const msg = e instanceof BinXmlError ? e.message : String(e);
      this.templates.set(off, TEMPLATE_FAILED);
      this.templateErrors.set(off, `template at 0x${off.toString(16)}: ${msg}`);
      throw new BinXmlError(`template at 0x${off.toString(16)}: ${msg}`, e instanceof BinXmlError ? e.offset : off);
    }
  }

  private fragment(off: number, size: number, depth: number): Node[] {
    const cached = this.fragments.get(off);
    if (cached) return cached;
    const nodes: Node[] = [];
    this.parseNodes(off, off + size, depth + 1, false, nodes);
    this.fragments.set(off, nodes);
    return nodes;
  }

  /** Renders the record's BinXML at [start, end) (chunk offsets) as XML text, without a trailing newline. */
  renderRecord(start: number, end: number, tree = false): string {
    this.lastTree = null;
    if (end > this.len) throw new BinXmlError('record runs past the chunk', start);
    const nodes: Node[] = [];
    this.parseNodes(start, end, 0, false, nodes);
    this.budget = Math.min(MAX_RECORD_CHARS, this.chunkBudget);
    this.renderDepth = 0;
    this.building = tree;
    this.treeRoot = null;
    this.treeParent = null;
    this.treeExotic = false;
    const before = this.budget;
    let s: string;
    try {
      s = this.renderNodes(nodes, null, 0);
    } finally {
      this.chunkBudget -= before - this.budget;
      this.building = false;
    }
    if (tree && !this.treeExotic) this.lastTree = this.treeRoot;
    this.treeRoot = null;
    return s.endsWith('\n') ? s.slice(0, -1) : s;
  }

  private spend(n: number, at: number): void {
    this.budget -= n;
    if (this.budget < 0) {
      throw new BinXmlError(this.chunkBudget <= MAX_RECORD_CHARS
        ? `chunk renders to more than ${MAX_CHUNK_CHARS} characters`
        : `record renders to more than ${MAX_RECORD_CHARS} characters`, at);
    }
  }

  private renderNodes(nodes: Node[], vals: Values | null, level: number): string {
    if (level > MAX_DEPTH) throw new BinXmlError(`BinXML nested deeper than ${MAX_DEPTH}`, 0);
    // Template instances and embedded fragments nest without adding a level: bound that chain too.
    if (++this.renderDepth > 2 * MAX_DEPTH) throw new BinXmlError(`BinXML nested deeper than ${MAX_DEPTH}`, 0);
    try {
      return this.renderList(nodes, vals, level);
    } finally {
      this.renderDepth--;
    }
  }

  private renderList(nodes: Node[], vals: Values | null, level: number): string {
    let s = '';
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      switch (n.k) {
        case K_EL:
          s += this.renderElement(n, vals, level);
          break;
        case K_TI:
          s += this.renderNodes(n.tmpl.nodes, n.vals, level);
          break;
        case K_SUBST: {
          if (!vals || n.index >= vals.count) throw new BinXmlError(`substitution ${n.index} out of range`, 0);
          if (vals.types[n.index] === VT_BINXML) s += this.renderNodes(this.fragment(vals.offs[n.index]!, vals.sizes[n.index]!, level), null, level);
          break;
        }
        case K_PI:
          this.treeExotic = true;
          s += INDENT[level] + '<?' + n.target + ' ' + n.data + '?>\n';
          break;
        case K_CDATA:
          this.treeExotic = true;
          s += INDENT[level] + '<![CDATA[' + n.text + ']]>\n';
          break;
        default:
          break; // text outside any element is not printed
      }
    }
    return s;
  }

  private valueText(vals: Values | null, index: number, attr: boolean): string | null {
    if (!vals || index >= vals.count) throw new BinXmlError(`substitution ${index} out of range`, 0);
    const type = vals.types[index]!;
    const size = vals.sizes[index]!;
    const off = vals.offs[index]!;
    let s: string | null;
    if (vals === this.itemVals && index === this.itemIndex) s = this.itemText;
    else {
      if (type === VT_NULL || size === 0) return null;
      if (type & VT_ARRAY) s = this.arrayItems(off, size, type & 0x7f)?.join(',') ?? null;
      else s = scalarString(this.b, off, size, type);
    }
    if (s === null) s = hexUpper(this.b, off, size);
    this.spend(s.length, off);
    this.lastRaw = s;
    // libfwevt prints ANSI strings (0x02) unescaped, which makes a value holding `<` markup nest as elements
    // and the app lose it: every string is escaped here (a listed disagreement with libevtx).
    return attr ? escAttr(s) : escText(s);
  }

  /** The items of an array value as text (null when the type has no defined item size). */
  private arrayItems(off: number, size: number, type: number): string[] | null {
    const parts: string[] = [];
    if (type === VT_STRING) {
      // NUL-terminated UTF-16 strings one after another.
      let start = off;
      const end = off + size - (size & 1);
      for (let i = off; i < end; i += 2) {
        if (this.b[i] === 0 && this.b[i + 1] === 0) {
          parts.push(utf16String(this.b, start, (i - start) >>> 1));
          start = i + 2;
        }
      }
      if (start < end) parts.push(utf16String(this.b, start, (end - start) >>> 1));
      return parts;
    }
    const w = fixedSize(type);
    if (w === 0) return null;
    for (let i = 0; i + w <= size; i += w) {
      const s = scalarString(this.b, off + i, w, type);
      if (s === null) return null;
      parts.push(s);
    }
    return parts;
  }

  // The array item being rendered: libfwevt repeats an element whose content is an array value once per item.
  private itemVals: Values | null = null;
  private itemIndex = -1;
  private itemText = '';

  private renderElement(el: ElNode, vals: Values | null, level: number): string {
    if (level > MAX_DEPTH) throw new BinXmlError(`BinXML nested deeper than ${MAX_DEPTH}`, 0);
    const ch = el.children;
    if (vals) {
      for (let i = 0; i < ch.length; i++) {
        const n = ch[i]!;
        if (n.k !== K_SUBST || n.index >= vals.count) continue;
        const type = vals.types[n.index]!;
        const size = vals.sizes[n.index]!;
        if ((type === VT_NULL || size === 0) && n.optional) return ''; // an unset optional value drops its element
        if (type & VT_ARRAY && size > 0 && vals !== this.itemVals) {
          const items = this.arrayItems(vals.offs[n.index]!, size, type & 0x7f);
          if (!items) break;
          let s = '';
          const [sv, si, st] = [this.itemVals, this.itemIndex, this.itemText];
          try {
            for (const item of items) {
              this.itemVals = vals;
              this.itemIndex = n.index;
              this.itemText = item;
              s += this.renderOne(el, vals, level);
            }
          } finally {
            this.itemVals = sv;
            this.itemIndex = si;
            this.itemText = st;
          }
          return s;
        }
      }
    }
    return this.renderOne(el, vals, level);
  }

  private renderOne(el: ElNode, vals: Values | null, level: number): string {
    let head = INDENT[level] + el.open;
    // The tree node, when building: what the app's XML parser makes of the text printed here.
    let node: XmlNode | null = null;
    const parent = this.treeParent;
    if (this.building) {
      // A name the parser would not read as one: the text is what it is; let the parser judge it.
      if (!XML_NAME.test(el.name)) this.treeExotic = true;
      node = { name: localName(el.name), attrs: [], children: [], text: '' };
      if (parent) parent.children.push(node);
      else if (!this.treeRoot) this.treeRoot = node;
    }
    for (let i = 0; i < el.attrs.length; i++) {
      const a = el.attrs[i]!;
      let v = '';
      let raw = '';
      let dropped = false;
      for (let j = 0; j < a.parts.length; j++) {
        const part = a.parts[j]!;
        if (part.k === K_TEXT) {
          v += part.escAttr;
          raw += part.text;
        } else if (part.k === K_SUBST) {
          const t = this.valueText(vals, part.index, true);
          if (t === null) {
            if (part.optional) dropped = true;
          } else {
            v += t;
            raw += this.lastRaw;
          }
        } else if (part.k === K_CHARREF) {
          v += '&#' + part.code + ';';
          this.treeExotic = true;
        } else if (part.k === K_ENTREF) {
          v += '&' + part.name + ';';
          this.treeExotic = true;
        }
      }
      if (dropped && v === '') continue;
      head += a.prefix + v + '"';
      if (node) {
        if (!XML_NAME.test(a.name)) this.treeExotic = true;
        if (a.name !== 'xmlns' && !a.name.startsWith('xmlns:')) node.attrs.push([localName(a.name), raw]);
      }
    }
    let text = '';
    let rawText = '';
    let kids = '';
    const ch = el.children;
    if (node) this.treeParent = node;
    try {
      for (let i = 0; i < ch.length; i++) {
        const n = ch[i]!;
        switch (n.k) {
          case K_TEXT:
            text += n.esc;
            rawText += n.text;
            break;
          case K_SUBST: {
            if (!vals || n.index >= vals.count) throw new BinXmlError(`substitution ${n.index} out of range`, 0);
            if (vals.types[n.index] === VT_BINXML) {
              kids += this.renderNodes(this.fragment(vals.offs[n.index]!, vals.sizes[n.index]!, level + 1), null, level + 1);
            } else {
              const t = this.valueText(vals, n.index, false);
              if (t !== null) {
                text += t;
                rawText += this.lastRaw;
              }
            }
            break;
          }
          case K_EL:
            kids += this.renderElement(n, vals, level + 1);
            break;
          case K_TI:
            kids += this.renderNodes(n.tmpl.nodes, n.vals, level + 1);
            break;
          case K_CHARREF:
            text += escText(String.fromCharCode(n.code));
            this.treeExotic = true;
            break;
          case K_ENTREF:
            text += escText(entity(n.name));
            this.treeExotic = true;
            break;
          case K_CDATA:
            kids += INDENT[level + 1] + '<![CDATA[' + n.text + ']]>\n';
            this.treeExotic = true;
            break;
          case K_PI:
            kids += INDENT[level + 1] + '<?' + n.target + ' ' + n.data + '?>\n';
            this.treeExotic = true;
            break;
        }
      }
    } finally {
      if (node) this.treeParent = parent;
    }
    this.spend(head.length + el.close.length, 0);
    // libfwevt prints a value of only white space as no value.
    if (text !== '' && !WS_ONLY.test(text)) {
      if (node) {
        // Printed as text only: child elements, if any, are not in the text.
        node.text = rawText;
        node.children = [];
      }
      return head + '>' + text + el.close;
    }
    if (kids !== '') {
      // The parser's text of an element printed with children: the line breaks and indents around them.
      if (node) node.text = ('\n' + INDENT[level + 1]).repeat(node.children.length) + '\n' + INDENT[level];
      return head + '>\n' + kids + INDENT[level] + el.close;
    }
    return head + '/>\n';
  }
}

/**
 * The character of a predefined entity reference (libfwevt prints `&quot;` as `"` in text); the caller escapes it
 * as text, so `&amp;` stays `&amp;` and the XML stays well-formed. Unknown names stay references.
 */
function entity(name: string): string {
  switch (name) {
    case 'amp': return '&';
    case 'lt': return '<';
    case 'gt': return '>';
    case 'quot': return '"';
    case 'apos': return "'";
    default: return '&' + name + ';';
  }
}

function textNode(s: string): TextNode {
  return { k: K_TEXT, text: s, esc: escText(s), escAttr: escAttr(s) };
}
