// Splunk macros.conf parsing and backtick macro expansion (textual, as Splunk does before parsing).
// Invariant: every expanded character keeps its origin; unknown macros and runaway recursion are located errors.

import { HopscopeError, type SourceLocation } from '../../model/errors.ts';
import { concatSources, locAt, sliceSource, sourceFromText, type SourceText } from './source-text.ts';

export interface MacroDef {
  /** Name without the arity suffix. */
  name: string;
  /** Argument names in order (`args = a, b`), length = arity. */
  args: string[];
  definition: SourceText;
  location: SourceLocation;
}

/** Keyed like Splunk: `name` for no arguments, `name(N)` for N arguments. */
export type MacroTable = Map<string, MacroDef>;

const MAX_DEPTH = 20;
/** Expanded text bound: nested macros can otherwise grow exponentially ("billion laughs"). */
const MAX_EXPANDED_CHARS = 1_000_000;

export function parseMacrosConf(text: string, file: string): MacroTable {
  const table: MacroTable = new Map();
  interface Pending {
    name: string;
    arity: number;
    location: SourceLocation;
    args?: string[];
    argsLoc?: SourceLocation;
    definition?: SourceText;
    iseval?: boolean;
  }
  let cur: Pending | null = null;
  const finish = () => {
    if (!cur) return;
    if (!cur.definition) throw new HopscopeError('E_RULE_PARSE', `macro [${key(cur.name, cur.arity)}] has no definition`, cur.location);
    if (cur.iseval) throw new HopscopeError('E_RULE_UNSUPPORTED', `eval-based macro [${key(cur.name, cur.arity)}] (iseval = 1) is not supported`, cur.location);
    const args = cur.args ?? [];
    if (args.length !== cur.arity) {
      throw new HopscopeError('E_RULE_PARSE', `macro [${key(cur.name, cur.arity)}] declares ${args.length} argument name(s) for arity ${cur.arity}`, cur.argsLoc ?? cur.location);
    }
    table.set(key(cur.name, cur.arity), { name: cur.name, args, definition: cur.definition, location: cur.location });
    cur = null;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/\r$/, '');
    const lineNo = i + 1;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const indent = line.length - line.trimStart().length;
    if (trimmed.startsWith('[')) {
      finish();
      const m = /^\[\s*([A-Za-z0-9_.:-]+)\s*(?:\(\s*(\d+)\s*\))?\s*\]$/.exec(trimmed);
      if (!m) throw new HopscopeError('E_RULE_PARSE', `malformed stanza header ${JSON.stringify(trimmed)}`, { file, line: lineNo, column: indent + 1 });
      cur = { name: m[1]!, arity: m[2] === undefined ? 0 : Number(m[2]), location: { file, line: lineNo, column: indent + 1 } };
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new HopscopeError('E_RULE_PARSE', 'expected "key = value"', { file, line: lineNo, column: indent + 1 });
    if (!cur) throw new HopscopeError('E_RULE_PARSE', 'setting outside of a [stanza]', { file, line: lineNo, column: indent + 1 });
    const k = line.slice(0, eq).trim();
    let valueStart = eq + 1;
    while (valueStart < line.length && (line[valueStart] === ' ' || line[valueStart] === '\t')) valueStart++;
    // Backslash at end of line continues the value on the next line (Splunk .conf syntax).
    const parts: SourceText[] = [];
    let startCol = valueStart + 1;
    let ln = i;
    for (;;) {
      const continued = line.endsWith('\\');
      const body = continued ? line.slice(valueStart, -1) : line.slice(valueStart);
      parts.push(sourceFromText(body, file, ln + 1, startCol));
      if (!continued || ln + 1 >= lines.length) break;
      parts.push(sourceFromText('\n', file, ln + 1, startCol + body.length));
      ln++;
      line = lines[ln]!.replace(/\r$/, '');
      valueStart = 0;
      startCol = 1;
    }
    i = ln;
    const value = concatSources(parts, { file, line: ln + 1, column: line.length + 1 });
    const trimmedValue = sliceSource(value, 0, value.text.trimEnd().length);
    const location: SourceLocation = { file, line: lineNo, column: eq + 2 };
    switch (k) {
      case 'definition':
        cur.definition = trimmedValue;
        break;
      case 'args':
        cur.args = trimmedValue.text.split(',').map((a) => a.trim()).filter((a) => a !== '');
        cur.argsLoc = location;
        for (const a of cur.args) {
          if (!/^[A-Za-z0-9_]+$/.test(a)) throw new HopscopeError('E_RULE_PARSE', `invalid macro argument name ${JSON.stringify(a)}`, location);
        }
        break;
      case 'iseval':
        cur.iseval = /^(1|true)$/i.test(trimmedValue.text.trim());
        break;
      default:
        // description, errormsg, validation: informational for us.
        break;
    }
  }
  finish();
  return table;
}

function key(name: string, arity: number): string {
  return arity === 0 ? name : `${name}(${arity})`;
}

export function mergeMacroTables(tables: readonly MacroTable[]): MacroTable {
  const out: MacroTable = new Map();
  for (const t of tables) for (const [k, v] of t) out.set(k, v);
  return out;
}

/** Expand every backtick macro outside double-quoted strings, recursively. */
export function expandMacros(src: SourceText, macros: MacroTable, depth = 0): SourceText {
  const text = src.text;
  if (!text.includes('`')) return src;
  const parts: SourceText[] = [];
  let segStart = 0;
  let i = 0;
  let inQuote = false;
  let total = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (inQuote) {
      if (c === '\\') i += 2;
      else {
        if (c === '"') inQuote = false;
        i++;
      }
      continue;
    }
    if (c === '"') {
      inQuote = true;
      i++;
      continue;
    }
    if (c !== '`') {
      i++;
      continue;
    }
    const close = text.indexOf('`', i + 1);
    if (close < 0) throw new HopscopeError('E_RULE_PARSE', 'unterminated macro reference (missing closing backtick)', locAt(src, i));
    parts.push(sliceSource(src, segStart, i));
    const expanded = expandOne(src, i, close, macros, depth);
    total += expanded.text.length + (i - segStart);
    if (total > MAX_EXPANDED_CHARS) throw new HopscopeError('E_RULE_PARSE', `macro expansion exceeds ${MAX_EXPANDED_CHARS} characters`, locAt(src, i));
    parts.push(expanded);
    i = close + 1;
    segStart = i;
  }
  parts.push(sliceSource(src, segStart, text.length));
  return concatSources(parts, src.end);
}

function expandOne(src: SourceText, open: number, close: number, macros: MacroTable, depth: number): SourceText {
  const where = locAt(src, open);
  const inner = src.text.slice(open + 1, close);
  const m = /^\s*([A-Za-z0-9_.:-]+)\s*(?:\(([\s\S]*)\))?\s*$/.exec(inner);
  if (!m) throw new HopscopeError('E_RULE_PARSE', `malformed macro reference \`${inner}\``, where);
  const name = m[1]!;
  const args: SourceText[] = [];
  if (m[2] !== undefined) {
    const argsOffset = open + 1 + inner.indexOf('(') + 1;
    for (const [s, e] of splitArgs(m[2])) {
      const a = sliceSource(src, argsOffset + s, argsOffset + e);
      const lead = a.text.length - a.text.trimStart().length;
      args.push(sliceSource(a, lead, a.text.trimEnd().length));
    }
  }
  const k = key(name, args.length);
  const def = macros.get(k);
  if (!def) throw new HopscopeError('E_RULE_PARSE', `unknown macro \`${k}\``, where);
  if (depth >= MAX_DEPTH) throw new HopscopeError('E_RULE_PARSE', `macro \`${k}\` expands recursively more than ${MAX_DEPTH} levels`, where);
  // $arg$ substitution: splice the argument text (with its own origins) into the definition.
  const d = def.definition;
  const parts: SourceText[] = [];
  let last = 0;
  const re = /\$([A-Za-z0-9_]+)\$/g;
  for (let mm = re.exec(d.text); mm; mm = re.exec(d.text)) {
    const idx = def.args.indexOf(mm[1]!);
    if (idx < 0) continue;
    parts.push(sliceSource(d, last, mm.index));
    parts.push(args[idx]!);
    last = mm.index + mm[0].length;
  }
  parts.push(sliceSource(d, last, d.text.length));
  const body = concatSources(parts, d.end);
  return expandMacros(body, macros, depth + 1);
}

/** Top-level comma split of a macro argument list (commas inside quotes or parentheses do not split). */
function splitArgs(s: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (inQuote) {
      if (c === '\\') i++;
      else if (c === '"') inQuote = false;
      continue;
    }
    if (c === '"') inQuote = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push([start, i]);
      start = i + 1;
    }
  }
  out.push([start, s.length]);
  return out;
}
