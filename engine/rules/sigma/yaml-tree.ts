// Sigma YAML files to a small located tree (maps, lists, scalars, each with its 1-based line/column).
// Invariant: never throws; YAML errors come back as located messages and aliases are refused, so a
// hostile file cannot expand exponentially.

import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node as YamlNode } from 'yaml';
import { MAX_YAML_DEPTH, yamlTooDeep } from '../yaml-depth.ts';

export interface SLoc {
  line: number;
  column: number;
}

export interface SScalar {
  kind: 'scalar';
  /** The value as Sigma sees it: numbers keep their source spelling (`010` stays `010`); null for YAML null. */
  text: string | null;
  /** The YAML type of the value, for modifiers that need a boolean or a number. */
  type: 'string' | 'number' | 'boolean' | 'null';
  /** Written in quotes: the text starts one column after `loc`. */
  quoted?: boolean;
  loc: SLoc;
}

export interface SMapEntry {
  key: string;
  keyLoc: SLoc;
  value: SNode;
}

export interface SMap {
  kind: 'map';
  entries: SMapEntry[];
  loc: SLoc;
}

export interface SSeq {
  kind: 'seq';
  items: SNode[];
  loc: SLoc;
}

export type SNode = SMap | SSeq | SScalar;

export interface YamlDocResult {
  /** 0-based index of the document within its file. */
  index: number;
  node?: SNode;
  errors: Array<{ message: string; loc: SLoc }>;
}

class TreeError extends Error {
  constructor(message: string, readonly loc: SLoc) {
    super(message);
  }
}

const MAX_DEPTH = 64;

export function parseYamlDocuments(text: string): YamlDocResult[] {
  const lineCounter = new LineCounter();
  const locOf = (offset: number | undefined): SLoc => {
    const p = lineCounter.linePos(offset ?? 0);
    return { line: Math.max(1, p.line), column: Math.max(1, p.col) };
  };
  const deep = yamlTooDeep(text);
  if (deep) return [{ index: 0, errors: [{ message: `YAML nested deeper than ${MAX_YAML_DEPTH} levels`, loc: deep }] }];
  let docs;
  try {
    docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, logLevel: 'error' });
  } catch (err) {
    return [{ index: 0, errors: [{ message: `YAML: ${err instanceof Error ? err.message : String(err)}`, loc: { line: 1, column: 1 } }] }];
  }
  if (!Array.isArray(docs)) {
    // An empty stream (no documents) or a stream-level error.
    const errs = (docs as { errors?: Array<{ message: string; pos: [number, number] }> }).errors ?? [];
    return errs.length ? [{ index: 0, errors: errs.map((e) => ({ message: `YAML: ${e.message}`, loc: locOf(e.pos[0]) })) }] : [];
  }
  const out: YamlDocResult[] = [];
  docs.forEach((doc, index) => {
    const errors = doc.errors.map((e) => ({ message: `YAML: ${firstLine(e.message)}`, loc: locOf(e.pos[0]) }));
    if (errors.length) {
      out.push({ index, errors });
      return;
    }
    if (doc.contents === null || doc.contents === undefined) {
      out.push({ index, errors: [] });
      return;
    }
    try {
      out.push({ index, node: convert(doc.contents as YamlNode, locOf, 0), errors: [] });
    } catch (err) {
      if (err instanceof TreeError) out.push({ index, errors: [{ message: err.message, loc: err.loc }] });
      else out.push({ index, errors: [{ message: `YAML: ${String(err)}`, loc: { line: 1, column: 1 } }] });
    }
  });
  return out;
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

function convert(node: YamlNode, locOf: (offset: number | undefined) => SLoc, depth: number): SNode {
  const loc = locOf(node.range?.[0]);
  if (depth > MAX_DEPTH) throw new TreeError('YAML nesting too deep', loc);
  if (isAlias(node)) throw new TreeError('YAML aliases are not supported in Sigma rules', loc);
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return { kind: 'scalar', text: null, type: 'null', loc };
    if (typeof v === 'number' || typeof v === 'bigint') {
      return { kind: 'scalar', text: node.source ?? String(v), type: 'number', loc };
    }
    if (typeof v === 'boolean') return { kind: 'scalar', text: node.source ?? String(v), type: 'boolean', loc };
    if (typeof v === 'string') {
      const quoted = node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE';
      return quoted ? { kind: 'scalar', text: v, type: 'string', quoted, loc } : { kind: 'scalar', text: v, type: 'string', loc };
    }
    // Dates and other tagged scalars: Sigma only cares about their spelling.
    return { kind: 'scalar', text: node.source ?? String(v), type: 'string', loc };
  }
  if (isMap(node)) {
    const entries: SMapEntry[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = pair.key as YamlNode | null;
      const keyLoc = locOf(k?.range?.[0] ?? node.range?.[0]);
      let key: string;
      if (k === null || k === undefined) key = '';
      else if (isScalar(k)) key = k.value === null || k.value === undefined ? '' : (k.source ?? String(k.value));
      else throw new TreeError('complex YAML keys are not supported', keyLoc);
      const valueNode = pair.value as YamlNode | null;
      const value: SNode = valueNode
        ? convert(valueNode, locOf, depth + 1)
        : { kind: 'scalar', text: null, type: 'null', loc: keyLoc };
      entries.push({ key, keyLoc, value });
    }
    return { kind: 'map', entries, loc };
  }
  if (isSeq(node)) {
    return { kind: 'seq', items: node.items.map((it) => convert(it as YamlNode, locOf, depth + 1)), loc };
  }
  throw new TreeError('unexpected YAML node', loc);
}

/** The value of a map key, or undefined. */
export function mapGet(node: SNode | undefined, key: string): SNode | undefined {
  if (!node || node.kind !== 'map') return undefined;
  for (const e of node.entries) if (e.key === key) return e.value;
  return undefined;
}

/** The location of a map key (where "X is missing/invalid" messages should point). */
export function keyLoc(node: SNode | undefined, key: string): SLoc | undefined {
  if (!node || node.kind !== 'map') return undefined;
  for (const e of node.entries) if (e.key === key) return e.keyLoc;
  return undefined;
}

/** A scalar's text, or undefined when the node is absent or not a scalar. */
export function scalarText(node: SNode | undefined): string | undefined {
  if (!node || node.kind !== 'scalar' || node.text === null) return undefined;
  return node.text;
}

/** A list of scalar strings (a single scalar counts as a one-element list). */
export function stringList(node: SNode | undefined): string[] {
  if (!node) return [];
  if (node.kind === 'scalar') return node.text === null ? [] : [node.text];
  if (node.kind === 'seq') return node.items.flatMap((it) => (it.kind === 'scalar' && it.text !== null ? [it.text] : []));
  return [];
}

/** Deep merge for Sigma `action: global` documents: maps merge key by key, the later document wins elsewhere. */
export function mergeNodes(base: SNode, over: SNode): SNode {
  if (base.kind !== 'map' || over.kind !== 'map') return over;
  const entries = base.entries.map((e) => ({ ...e }));
  for (const oe of over.entries) {
    const i = entries.findIndex((e) => e.key === oe.key);
    if (i < 0) entries.push(oe);
    else entries[i] = { ...oe, value: mergeNodes(entries[i]!.value, oe.value) };
  }
  return { kind: 'map', entries, loc: over.loc };
}
