// Built-in / user SPL rule pack loader: YAML rule files + macros.conf texts -> compiled rules and issues.
// Invariant: one bad rule (or macro file) becomes a located RuleLoadIssue; every other rule still loads.

import { parseDocument, isMap, isScalar, type Scalar } from 'yaml';
import { MAX_YAML_DEPTH, yamlTooDeep } from './yaml-depth.ts';
import { HopscopeError, formatLocation, type ErrorCode, type SourceLocation } from '../model/errors.ts';
import { compileSpl, splRule } from './spl/compile.ts';
import { mergeMacroTables, parseMacrosConf, type MacroTable } from './spl/macros.ts';
import { sourceFromText, type SourceText } from './spl/source-text.ts';
import { sha256Hex } from './spl/sha256.ts';
import type { CompiledRule, LoadedRuleSet, RuleLoadIssue, RuleMeta } from './types.ts';

export interface RuleFileText {
  path: string;
  text: string;
}

const ORIGINS = new Set(['seed', 'hopscope', 'user', 'sigma']);

export function loadRulePack(files: readonly RuleFileText[], macros: readonly RuleFileText[]): LoadedRuleSet {
  const issues: RuleLoadIssue[] = [];
  const tables: MacroTable[] = [];
  for (const m of macros) {
    try {
      tables.push(parseMacrosConf(m.text, m.path));
    } catch (err) {
      issues.push(issueFrom(err, m.path));
    }
  }
  const table = mergeMacroTables(tables);
  const rules: CompiledRule[] = [];
  const seen = new Map<string, string>();
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    let meta: RuleMeta | undefined;
    try {
      const loaded = loadRuleFile(f, table);
      meta = loaded.meta;
      const prev = seen.get(meta.id);
      if (prev !== undefined) throw new HopscopeError('E_RULE_PARSE', `duplicate rule id "${meta.id}" (already defined in ${prev})`, { file: f.path, line: 1, column: 1 });
      seen.set(meta.id, f.path);
      rules.push(loaded);
    } catch (err) {
      issues.push(issueFrom(err, f.path, meta ?? (err as { ruleMeta?: RuleMeta }).ruleMeta));
    }
  }
  rules.sort((a, b) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0));
  return { rules, issues };
}

function issueFrom(err: unknown, path: string, meta?: Partial<RuleMeta>): RuleLoadIssue {
  const code: ErrorCode = err instanceof HopscopeError ? err.code : 'E_INTERNAL';
  let message = err instanceof Error ? err.message : String(err);
  // HopscopeError appends its location to the message; the issue carries it separately.
  if (err instanceof HopscopeError && err.location) {
    const suffix = ` (${formatLocation(err.location)})`;
    if (message.endsWith(suffix)) message = message.slice(0, -suffix.length);
  }
  const issue: RuleLoadIssue = {
    source: path,
    severity: code === 'E_RULE_UNSUPPORTED' ? 'unsupported' : 'error',
    code,
    message,
    location: err instanceof HopscopeError ? (err.location ?? { file: path }) : { file: path },
  };
  if (meta?.id) issue.ruleId = meta.id;
  if (meta?.title) issue.title = meta.title;
  return issue;
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/** Compile one rule file; throws a located HopscopeError. */
export function loadRuleFile(f: RuleFileText, macros: MacroTable): CompiledRule {
  const deep = yamlTooDeep(f.text);
  if (deep) throw new HopscopeError('E_RULE_PARSE', `YAML nested deeper than ${MAX_YAML_DEPTH} levels`, { file: f.path, ...deep });
  const doc = parseDocument(f.text, { prettyErrors: false, logLevel: 'error' });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    throw new HopscopeError('E_RULE_PARSE', `YAML: ${e.message.split('\n')[0]}`, { file: f.path, line: pos?.line ?? 1, column: pos?.col ?? 1 });
  }
  const root = doc.contents;
  if (!isMap(root)) throw new HopscopeError('E_RULE_PARSE', 'a rule file must be a YAML mapping', { file: f.path, line: 1, column: 1 });
  const locOf = (key: string): SourceLocation => {
    const node = doc.get(key, true) as Scalar | undefined;
    const off = node?.range?.[0] ?? 0;
    return { file: f.path, ...lineCol(f.text, off) };
  };
  const str = (key: string, required: boolean): string | undefined => {
    const v = doc.get(key);
    if (v === undefined || v === null) {
      if (required) throw new HopscopeError('E_RULE_PARSE', `missing required field "${key}"`, { file: f.path, line: 1, column: 1 });
      return undefined;
    }
    if (typeof v !== 'string' && typeof v !== 'number') throw new HopscopeError('E_RULE_PARSE', `field "${key}" must be a string`, locOf(key));
    return String(v);
  };
  const num = (key: string): number | undefined => {
    const v = doc.get(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new HopscopeError('E_RULE_PARSE', `field "${key}" must be a number`, locOf(key));
    return v;
  };
  const list = (key: string): string[] | undefined => {
    let js: Record<string, unknown>;
    try {
      js = doc.toJS() as Record<string, unknown>;
    } catch (err) {
      // The yaml library refuses alias bombs ("excessive alias count") while converting: a bad file, not a bug.
      throw new HopscopeError('E_RULE_PARSE', `YAML: ${err instanceof Error ? err.message : String(err)}`, locOf(key));
    }
    const v = js[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new HopscopeError('E_RULE_PARSE', `field "${key}" must be a list of strings`, locOf(key));
    return v as string[];
  };
  const id = str('id', true)!;
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(id)) throw new HopscopeError('E_RULE_PARSE', `rule id "${id}" must be a slug`, locOf('id'));
  const title = str('title', true)!;
  const language = str('language', true)!;
  if (language !== 'spl') throw new HopscopeError('E_RULE_UNSUPPORTED', `language "${language}" is not loaded by the SPL rule pack (Sigma rules load through the Sigma loader)`, locOf('language'));
  const riskScore = num('risk_score');
  if (riskScore === undefined || riskScore < 0 || riskScore > 100) throw new HopscopeError('E_RULE_PARSE', 'risk_score must be a number from 0 to 100', locOf('risk_score'));
  const origin = str('origin', false) ?? 'user';
  if (!ORIGINS.has(origin)) throw new HopscopeError('E_RULE_PARSE', `origin must be one of ${[...ORIGINS].join(', ')}`, locOf('origin'));
  const glyph = str('glyph', false);
  if (glyph !== undefined && [...glyph].length !== 1) throw new HopscopeError('E_RULE_PARSE', 'glyph must be a single character', locOf('glyph'));
  const meta: RuleMeta = {
    id,
    title,
    language: 'spl',
    source: f.path,
    riskScore,
    techniques: list('techniques') ?? [],
    contentSha256: sha256Hex(f.text),
    origin: origin as RuleMeta['origin'],
    enabled: doc.get('enabled') !== false,
  };
  const optional: Array<[keyof RuleMeta, unknown]> = [
    ['version', str('version', false)],
    ['impact', num('impact')],
    ['confidence', num('confidence')],
    ['messageTemplate', str('message', false)],
    ['description', str('description', false)],
    ['falsePositives', list('false_positives')],
    ['references', list('references')],
    ['glyph', glyph],
  ];
  for (const [k, v] of optional) if (v !== undefined) (meta as unknown as Record<string, unknown>)[k] = v;

  const searchNode = doc.get('search', true);
  if (!isScalar(searchNode) || typeof searchNode.value !== 'string') {
    throw new HopscopeError('E_RULE_PARSE', 'missing required string field "search"', { file: f.path, line: 1, column: 1 });
  }
  const source = scalarSource(f, searchNode as Scalar<string>);
  try {
    const program = compileSpl({ text: searchNode.value, source, macros });
    return splRule(meta, program);
  } catch (err) {
    // Let the pack name the rule in its load issue.
    if (err instanceof HopscopeError) (err as HopscopeError & { ruleMeta?: RuleMeta }).ruleMeta = meta;
    throw err;
  }
}

/** Per-character origins of a YAML scalar's value, so SPL errors point at the right line and column. */
function scalarSource(f: RuleFileText, node: Scalar<string>): SourceText {
  const value = node.value;
  const start = node.range?.[0] ?? 0;
  const at = lineCol(f.text, start);
  if (node.type === 'BLOCK_LITERAL') {
    // Content starts on the line after the "|" header; every content line carries the same indentation.
    const lines = f.text.split('\n');
    const firstContent = at.line; // 0-based index of the line after the header
    let indent = 0;
    for (let i = firstContent; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.trim() === '') continue;
      indent = l.length - l.trimStart().length;
      break;
    }
    const origins: SourceLocation[] = [];
    let line = firstContent + 1;
    let col = indent + 1;
    for (const ch of value) {
      origins.push({ file: f.path, line, column: col });
      if (ch === '\n') {
        line++;
        col = indent + 1;
      } else col++;
    }
    return { text: value, origins, end: { file: f.path, line, column: col } };
  }
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  if (!value.includes('\n')) return sourceFromText(value, f.path, at.line, at.column + (quoted ? 1 : 0));
  // Folded or multi-line flow scalars: line breaks do not map one to one; point at the scalar's start.
  return { text: value, origins: [...value].map(() => ({ file: f.path, line: at.line, column: at.column })), end: { file: f.path, ...at } };
}
