// Sigma `condition` expressions: tokenizer and precedence parser (not > and > or), `1 of`/`all of`
// over identifier patterns and `them`. Invariant: every node keeps its character offset, and anything
// outside plain boolean conditions (aggregations, `near`) is refused as unsupported, never ignored.

export type CondNode =
  | { t: 'id'; name: string; pos: number }
  | { t: 'and'; items: CondNode[] }
  | { t: 'or'; items: CondNode[] }
  | { t: 'not'; item: CondNode }
  | { t: 'of'; quant: 'any' | 'all'; pattern: string; pos: number; names: string[] };

export class ConditionError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the condition text. */
    readonly pos: number,
    readonly kind: 'error' | 'unsupported',
  ) {
    super(message);
  }
}

interface Token {
  text: string;
  pos: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const re = /\s+|[()]|\|[\s\S]*|[^\s()|]+/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src)) !== null) {
    const text = m[0];
    if (/^\s+$/.test(text)) continue;
    if (text.startsWith('|')) {
      throw new ConditionError(`aggregation in condition is not supported: "${text.trim().slice(0, 60)}"`, m.index, 'unsupported');
    }
    out.push({ text, pos: m.index });
    if (re.lastIndex >= src.length) break;
  }
  return out;
}

const MAX_DEPTH = 100;
const KEYWORDS = new Set(['and', 'or', 'not', 'of', '(', ')']);

/** Parse a condition string; identifiers are resolved later against the detection's names. */
export function parseCondition(src: string): CondNode {
  const toks = tokenize(src);
  let i = 0;
  const peek = (): Token | undefined => toks[i];
  const lower = (t: Token | undefined): string | undefined => t?.text.toLowerCase();

  const parseOr = (): CondNode => {
    const items = [parseAnd()];
    while (lower(peek()) === 'or') {
      i++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { t: 'or', items };
  };
  const parseAnd = (): CondNode => {
    const items = [parseNot()];
    while (lower(peek()) === 'and') {
      i++;
      items.push(parseNot());
    }
    return items.length === 1 ? items[0]! : { t: 'and', items };
  };
  let depth = 0;
  const parseNot = (): CondNode => {
    // Hostile rules may nest thousands deep; refuse before the stack does.
    if (++depth > MAX_DEPTH) throw new ConditionError(`condition nests deeper than ${MAX_DEPTH}`, peek()?.pos ?? src.length, 'error');
    try {
      if (lower(peek()) === 'not') {
        i++;
        return { t: 'not', item: parseNot() };
      }
      return parseAtom();
    } finally {
      depth--;
    }
  };
  const parseAtom = (): CondNode => {
    const tok = peek();
    if (!tok) throw new ConditionError('condition ends unexpectedly', src.length, 'error');
    const word = tok.text.toLowerCase();
    if (word === '(') {
      i++;
      const inner = parseOr();
      const close = peek();
      if (close?.text !== ')') throw new ConditionError('missing ")"', close?.pos ?? src.length, 'error');
      i++;
      return inner;
    }
    if (word === 'near') throw new ConditionError('"near" is not supported', tok.pos, 'unsupported');
    if (lower(toks[i + 1]) === 'of') {
      let quant: 'any' | 'all';
      if (word === '1' || word === 'any') quant = 'any';
      else if (word === 'all') quant = 'all';
      else if (/^\d+$/.test(word)) throw new ConditionError(`"${tok.text} of" is not supported (only "1 of" and "all of")`, tok.pos, 'unsupported');
      else throw new ConditionError(`unexpected "${tok.text}" before "of"`, tok.pos, 'error');
      const target = toks[i + 2];
      if (!target || KEYWORDS.has(target.text.toLowerCase())) {
        throw new ConditionError('"of" needs an identifier pattern or "them"', target?.pos ?? src.length, 'error');
      }
      i += 3;
      return { t: 'of', quant, pattern: target.text, pos: target.pos, names: [] };
    }
    if (KEYWORDS.has(word)) throw new ConditionError(`unexpected "${tok.text}"`, tok.pos, 'error');
    i++;
    return { t: 'id', name: tok.text, pos: tok.pos };
  };

  if (toks.length === 0) throw new ConditionError('empty condition', 0, 'error');
  const node = parseOr();
  const rest = peek();
  if (rest) throw new ConditionError(`unexpected "${rest.text}"`, rest.pos, 'error');
  return node;
}

function globToPredicate(pattern: string): (name: string) => boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return (n) => n === pattern;
  return (n) => {
    if (!n.startsWith(parts[0]!)) return false;
    let pos = parts[0]!.length;
    for (let k = 1; k < parts.length - 1; k++) {
      const at = n.indexOf(parts[k]!, pos);
      if (at < 0) return false;
      pos = at + parts[k]!.length;
    }
    const last = parts[parts.length - 1]!;
    return n.length - last.length >= pos && n.endsWith(last);
  };
}

/** Check identifiers exist and expand `of` patterns (`them` excludes names starting with `_`, as pySigma). */
export function resolveCondition(node: CondNode, names: readonly string[]): CondNode {
  switch (node.t) {
    case 'id':
      if (!names.includes(node.name)) throw new ConditionError(`unknown detection identifier "${node.name}"`, node.pos, 'error');
      return node;
    case 'and':
    case 'or':
      return { t: node.t, items: node.items.map((n) => resolveCondition(n, names)) };
    case 'not':
      return { t: 'not', item: resolveCondition(node.item, names) };
    case 'of': {
      const matched =
        node.pattern === 'them' ? names.filter((n) => !n.startsWith('_')) : names.filter(globToPredicate(node.pattern));
      if (matched.length === 0) throw new ConditionError(`"${node.pattern}" matches no detection identifier`, node.pos, 'error');
      return { ...node, names: matched };
    }
  }
}

/** Identifiers a resolved condition uses, in first-use order. */
export function conditionNames(node: CondNode, out: string[] = []): string[] {
  switch (node.t) {
    case 'id':
      if (!out.includes(node.name)) out.push(node.name);
      break;
    case 'and':
    case 'or':
      for (const n of node.items) conditionNames(n, out);
      break;
    case 'not':
      conditionNames(node.item, out);
      break;
    case 'of':
      for (const n of node.names) if (!out.includes(n)) out.push(n);
      break;
  }
  return out;
}
