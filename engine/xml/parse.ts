// A small, safe XML element parser for one Windows event: elements, attributes, text, CDATA, comments.
// Invariant: only the five predefined entities and numeric character references are decoded; any DOCTYPE,
// ENTITY or other declaration is refused (no entity expansion, ever); depth and size are bounded.

import { HopscopeError } from '../model/errors.ts';

export interface XmlNode {
  /** Local name (namespace prefix dropped). */
  name: string;
  attrs: Array<[string, string]>;
  children: XmlNode[];
  text: string;
}

const MAX_DEPTH = 64;

export class XmlError extends HopscopeError {
  constructor(
    readonly reasonCode: 'xml-dtd' | 'xml-syntax',
    message: string,
    offset: number,
  ) {
    super(reasonCode === 'xml-dtd' ? 'E_SECURITY' : 'E_FORMAT', message, { column: offset });
  }
}

function localName(qname: string): string {
  const c = qname.indexOf(':');
  return c === -1 ? qname : qname.slice(c + 1);
}

function isNameChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
    c === 95 || c === 58 || c === 45 || c === 46 || c > 127
  );
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Decodes `&amp; &lt; &gt; &quot; &apos; &#N; &#xH;`; anything else is an error (no custom entities). */
export function decodeEntities(s: string, offset = 0): string {
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  let out = '';
  let last = 0;
  while (amp !== -1) {
    const semi = s.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > 12) throw new XmlError('xml-syntax', 'unterminated character reference', offset + amp);
    const ent = s.slice(amp + 1, semi);
    let rep: string;
    switch (ent) {
      case 'amp': rep = '&'; break;
      case 'lt': rep = '<'; break;
      case 'gt': rep = '>'; break;
      case 'quot': rep = '"'; break;
      case 'apos': rep = "'"; break;
      default: {
        let cp = NaN;
        if (ent.charCodeAt(0) === 35) {
          const hex = ent.charCodeAt(1) === 120 || ent.charCodeAt(1) === 88;
          const digits = ent.slice(hex ? 2 : 1);
          if (digits.length > 0 && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) cp = parseInt(digits, hex ? 16 : 10);
        } else {
          throw new XmlError('xml-dtd', `undeclared entity &${ent.slice(0, 20)}; refused (no entity expansion)`, offset + amp);
        }
        if (!(cp > 0 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) {
          throw new XmlError('xml-syntax', `invalid character reference &${ent};`, offset + amp);
        }
        rep = String.fromCodePoint(cp);
      }
    }
    out += s.slice(last, amp) + rep;
    last = semi + 1;
    amp = s.indexOf('&', last);
  }
  return out + s.slice(last);
}

/** Parses the first element of `s` (an `<Event>` element's text). Throws XmlError. */
export function parseXmlElement(s: string): XmlNode {
  const stack: XmlNode[] = [];
  let root: XmlNode | null = null;
  let i = 0;
  const n = s.length;
  while (i < n) {
    const lt = s.indexOf('<', i);
    const textEnd = lt === -1 ? n : lt;
    if (textEnd > i && stack.length) {
      const raw = s.slice(i, textEnd);
      stack[stack.length - 1]!.text += decodeEntities(raw, i);
    }
    if (lt === -1) break;
    i = lt;
    const c1 = s.charCodeAt(i + 1);
    if (c1 === 63) {
      // <? processing instruction ?>
      const end = s.indexOf('?>', i + 2);
      if (end === -1) throw new XmlError('xml-syntax', 'unterminated processing instruction', i);
      i = end + 2;
      continue;
    }
    if (c1 === 33) {
      if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i + 4);
        if (end === -1) throw new XmlError('xml-syntax', 'unterminated comment', i);
        i = end + 3;
        continue;
      }
      if (s.startsWith('<![CDATA[', i)) {
        const end = s.indexOf(']]>', i + 9);
        if (end === -1) throw new XmlError('xml-syntax', 'unterminated CDATA section', i);
        if (stack.length) stack[stack.length - 1]!.text += s.slice(i + 9, end);
        i = end + 3;
        continue;
      }
      throw new XmlError('xml-dtd', `declaration ${s.slice(i, i + 10).replace(/\s+/g, ' ')}... refused (DOCTYPE/ENTITY are not allowed)`, i);
    }
    if (c1 === 47) {
      // </name>
      let j = i + 2;
      while (j < n && isNameChar(s.charCodeAt(j))) j++;
      const name = localName(s.slice(i + 2, j));
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) !== 62) throw new XmlError('xml-syntax', 'malformed end tag', i);
      const top = stack.pop();
      if (!top || top.name !== name) throw new XmlError('xml-syntax', `end tag </${name.slice(0, 40)}> does not match`, i);
      i = j + 1;
      if (stack.length === 0) return root!;
      continue;
    }
    // <name attr="v" ...> or />
    let j = i + 1;
    while (j < n && isNameChar(s.charCodeAt(j))) j++;
    if (j === i + 1) throw new XmlError('xml-syntax', 'malformed start tag', i);
    const node: XmlNode = { name: localName(s.slice(i + 1, j)), attrs: [], children: [], text: '' };
    let selfClosing = false;
    for (;;) {
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      const c = s.charCodeAt(j);
      if (c === 62) {
        j++;
        break;
      }
      if (c === 47 && s.charCodeAt(j + 1) === 62) {
        selfClosing = true;
        j += 2;
        break;
      }
      const an = j;
      while (j < n && isNameChar(s.charCodeAt(j))) j++;
      if (j === an) throw new XmlError('xml-syntax', 'malformed attribute', j);
      const attrName = s.slice(an, j);
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) !== 61) throw new XmlError('xml-syntax', 'attribute without value', j);
      j++;
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      const q = s.charCodeAt(j);
      if (q !== 34 && q !== 39) throw new XmlError('xml-syntax', 'unquoted attribute value', j);
      const end = s.indexOf(q === 34 ? '"' : "'", j + 1);
      if (end === -1) throw new XmlError('xml-syntax', 'unterminated attribute value', j);
      const value = s.slice(j + 1, end);
      if (value.includes('<')) throw new XmlError('xml-syntax', "'<' in attribute value", j);
      // xmlns declarations carry no event data.
      if (attrName !== 'xmlns' && !attrName.startsWith('xmlns:')) node.attrs.push([localName(attrName), decodeEntities(value, j + 1)]);
      j = end + 1;
    }
    if (stack.length) stack[stack.length - 1]!.children.push(node);
    else if (!root) root = node;
    else throw new XmlError('xml-syntax', 'more than one root element', i);
    i = j;
    if (selfClosing) {
      if (stack.length === 0) return root!;
      continue;
    }
    stack.push(node);
    if (stack.length > MAX_DEPTH) throw new XmlError('xml-syntax', `elements nested deeper than ${MAX_DEPTH}`, i);
  }
  throw new XmlError('xml-syntax', root ? `element <${root.name}> is not closed` : 'no element found', n);
}

/**
 * Flattens a Windows `<Event>`: System children by element name (attributes as `Element_Attr`, e.g.
 * `Provider_Name`, `TimeCreated_SystemTime`), EventData `Data[@Name]` by Name, UserData leaves by name,
 * RenderingInfo children as `RenderingInfo_<name>`.
 */
export function flattenWindowsEvent(ev: XmlNode, names: string[], values: string[]): void {
  for (const section of ev.children) {
    if (section.name === 'System') {
      for (const el of section.children) {
        if (el.children.length === 0 && (el.text !== '' || el.attrs.length === 0)) {
          names.push(el.name);
          values.push(el.text);
        }
        for (const [a, v] of el.attrs) {
          names.push(el.name + '_' + a);
          values.push(v);
        }
      }
    } else if (section.name === 'EventData') {
      let unnamed = 0;
      for (const el of section.children) {
        const nameAttr = el.attrs.find((a) => a[0] === 'Name');
        if (nameAttr) {
          names.push(nameAttr[1]);
        } else {
          unnamed++;
          names.push(unnamed === 1 ? el.name : `${el.name}_${unnamed}`);
        }
        values.push(el.text);
      }
    } else if (section.name === 'RenderingInfo') {
      for (const el of section.children) {
        if (el.children.length === 0) {
          names.push('RenderingInfo_' + el.name);
          values.push(el.text);
        }
      }
    } else {
      flattenLeaves(section, names, values, 0);
    }
  }
}

function flattenLeaves(node: XmlNode, names: string[], values: string[], depth: number): void {
  for (const el of node.children) {
    if (el.children.length === 0) {
      names.push(el.name);
      values.push(el.text);
    } else if (depth < 16) flattenLeaves(el, names, values, depth + 1);
  }
}
