// Loading Sigma rule files: YAML documents (with `action: global/reset/repeat`), logsource checks,
// metadata, detection and condition compilation. Invariant: loadSigmaRules never throws; every
// document either becomes a rule or a located RuleLoadIssue saying why not.

import { HopscopeError, type ErrorCode, type SourceLocation } from '../../model/errors.ts';
import type { CompileRegex } from '../regex/api.ts';
import { compileRegex as defaultCompileRegex } from '../regex/index.ts';
import type { CompiledRule, LoadedRuleSet, RuleLoadIssue, RuleMeta } from '../types.ts';
import { ConditionError, parseCondition, resolveCondition, type CondNode } from './condition.ts';
import { DetectionError, compileIdentifier } from './detection.ts';
import { SigmaCompiledRule, type SigmaIdentifier } from './runtime.ts';
import { SigmaCorrelationRule, parseTimespan, type CorrelationOp, type CorrelationType } from './correlation.ts';
import { logsourceSpec } from './logsource.ts';
import { keyLoc, mapGet, mergeNodes, parseYamlDocuments, scalarText, stringList, type SLoc, type SNode } from './yaml-tree.ts';

/**
 * Sigma `level` to Hopscope risk score (0..100). Chosen so that host risk (the sum of findings)
 * ranks one critical above three mediums and keeps informational hits visible but small.
 */
export const SIGMA_LEVEL_RISK: Readonly<Record<string, number>> = {
  informational: 10,
  low: 25,
  medium: 50,
  high: 75,
  critical: 90,
};

/** Risk of a rule with no (or an unknown) level: treated as medium. */
export const SIGMA_DEFAULT_RISK = 50;

export function sigmaRiskScore(level: string | undefined): number {
  const key = level?.toLowerCase();
  return key !== undefined && Object.hasOwn(SIGMA_LEVEL_RISK, key) ? SIGMA_LEVEL_RISK[key]! : SIGMA_DEFAULT_RISK;
}

/** RuleMeta plus the Sigma fields RuleMeta has no slot for. */
export interface SigmaRuleMeta extends RuleMeta {
  author?: string;
  date?: string;
  modified?: string;
  tags: string[];
}

export interface SigmaFile {
  path: string;
  text: string;
}

export interface SigmaLoadOptions {
  /** Regex compiler for `|re` (defaults to the engine's safe compiler; injectable for tests). */
  compileRegex?: CompileRegex;
}

/** ATT&CK technique ids from `attack.t1021.002` style tags, upper-cased, in tag order. */
export function techniquesFromTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(t.trim());
    if (m && !out.includes(m[1]!.toUpperCase())) out.push(m[1]!.toUpperCase());
  }
  return out;
}

class LoadError extends Error {
  constructor(
    message: string,
    readonly loc: SLoc | undefined,
    readonly severity: 'error' | 'unsupported',
    readonly code: ErrorCode,
  ) {
    super(message);
  }
}

interface DocInfo {
  path: string;
  ruleId?: string;
  title?: string;
}

function issue(info: DocInfo, severity: RuleLoadIssue['severity'], code: ErrorCode, message: string, loc?: SLoc): RuleLoadIssue {
  const location: SourceLocation = { file: info.path };
  if (loc) {
    location.line = loc.line;
    location.column = loc.column;
  }
  const out: RuleLoadIssue = { source: info.path, severity, code, message, location };
  if (info.ruleId !== undefined) out.ruleId = info.ruleId;
  if (info.title !== undefined) out.title = info.title;
  return out;
}

/** Load Sigma rules from files; unsupported and broken documents become issues, never exceptions. */
export function loadSigmaRules(files: ReadonlyArray<SigmaFile>, opts: SigmaLoadOptions = {}): LoadedRuleSet {
  const rules: CompiledRule[] = [];
  const issues: RuleLoadIssue[] = [];
  const seen = new Map<string, string>();
  const pending: PendingCorrelation[] = [];
  const names = new Map<string, CompiledRule>();
  for (const file of files) {
    for (const r of loadFile(file, opts, issues, pending, names)) {
      const prev = seen.get(r.meta.id);
      if (prev !== undefined) {
        issues.push(issue({ path: file.path, ruleId: r.meta.id, title: r.meta.title }, 'warning', 'E_RULE_PARSE', `duplicate rule id ${r.meta.id} (first loaded from ${prev}); this copy is skipped`));
        continue;
      }
      seen.set(r.meta.id, file.path);
      rules.push(r);
    }
  }
  if (pending.length === 0) return { rules, issues };
  const { correlations, hidden } = resolveCorrelations(pending, rules, names, issues);
  for (const c of correlations) {
    if (seen.has(c.meta.id)) {
      issues.push(issue({ path: c.meta.source, ruleId: c.meta.id, title: c.meta.title }, 'warning', 'E_RULE_PARSE', `duplicate rule id ${c.meta.id}; this correlation is skipped`));
      continue;
    }
    seen.set(c.meta.id, c.meta.source);
  }
  // generate: false (the default) keeps a base rule's own hits out of the findings.
  return { rules: [...rules.filter((r) => !hidden.has(r)), ...correlations.filter((c) => !hidden.has(c) && seen.get(c.meta.id) === c.meta.source)], issues };
}

/** Compile the single rule in one file; throws HopscopeError with the first issue when it cannot. */
export function compileSigmaRule(file: SigmaFile, opts: SigmaLoadOptions = {}): SigmaCompiledRule<SigmaRuleMeta> {
  const issues: RuleLoadIssue[] = [];
  const rules = loadFile(file, opts, issues);
  const bad = issues.find((i) => i.severity !== 'warning');
  if (bad) throw new HopscopeError(bad.code, bad.message, bad.location);
  const rule = rules[0];
  if (!rule) throw new HopscopeError('E_RULE_PARSE', 'no Sigma rule in file', { file: file.path });
  return rule;
}

function loadFile(
  file: SigmaFile,
  opts: SigmaLoadOptions,
  issues: RuleLoadIssue[],
  pending: PendingCorrelation[] = [],
  names: Map<string, CompiledRule> = new Map(),
): Array<SigmaCompiledRule<SigmaRuleMeta>> {
  const out: Array<SigmaCompiledRule<SigmaRuleMeta>> = [];
  let docs;
  try {
    docs = parseYamlDocuments(file.text);
  } catch (err) {
    issues.push(issue({ path: file.path }, 'error', 'E_RULE_PARSE', `YAML: ${String(err)}`));
    return out;
  }
  let global: SNode | undefined;
  let previous: SNode | undefined;
  for (const doc of docs) {
    const info: DocInfo = { path: file.path };
    if (doc.errors.length) {
      for (const e of doc.errors) issues.push(issue(info, 'error', 'E_RULE_PARSE', e.message, e.loc));
      continue;
    }
    const node = doc.node;
    if (!node) continue;
    try {
      if (node.kind !== 'map') throw new LoadError('not a Sigma rule: the document is not a map', node.loc, 'error', 'E_RULE_PARSE');
      const action = scalarText(mapGet(node, 'action'));
      if (action === 'global') {
        global = global ? mergeNodes(global, stripAction(node)) : stripAction(node);
        continue;
      }
      if (action === 'reset') {
        global = undefined;
        continue;
      }
      let merged: SNode = stripAction(node);
      if (action === 'repeat') {
        if (!previous) throw new LoadError('"action: repeat" without a previous rule', node.loc, 'error', 'E_RULE_PARSE');
        merged = mergeNodes(previous, merged);
      } else if (global) {
        merged = mergeNodes(global, merged);
      }
      previous = merged;
      info.ruleId = scalarText(mapGet(merged, 'id'));
      info.title = scalarText(mapGet(merged, 'title'));
      if (mapGet(merged, 'correlation')) {
        pending.push({ node: merged, path: file.path, docIndex: doc.index, info: { ...info } });
        continue;
      }
      const compiled = compileDoc(merged, file.path, doc.index, opts);
      const name = scalarText(mapGet(merged, 'name'));
      if (name !== undefined && !names.has(name)) names.set(name, compiled);
      out.push(compiled);
    } catch (err) {
      if (err instanceof LoadError) issues.push(issue(info, err.severity, err.code, err.message, err.loc));
      else if (err instanceof DetectionError) issues.push(issue(info, err.kind, err.code, err.message, err.loc));
      else issues.push(issue(info, 'error', 'E_INTERNAL', `internal error loading rule: ${err instanceof Error ? err.message : String(err)}`, node.loc));
    }
  }
  return out;
}

function stripAction(node: SNode): SNode {
  if (node.kind !== 'map') return node;
  return { ...node, entries: node.entries.filter((e) => e.key !== 'action') };
}

function compileDoc(doc: SNode, path: string, docIndex: number, opts: SigmaLoadOptions): SigmaCompiledRule<SigmaRuleMeta> {
  if (doc.kind !== 'map') throw new LoadError('not a Sigma rule', doc.loc, 'error', 'E_RULE_PARSE');
  const detection = mapGet(doc, 'detection');
  if (!detection) {
    if (mapGet(doc, 'filter')) throw new LoadError('Sigma filter documents are not supported', doc.loc, 'unsupported', 'E_RULE_UNSUPPORTED');
    throw new LoadError('rule has no "detection"', doc.loc, 'error', 'E_RULE_PARSE');
  }

  const logsource = mapGet(doc, 'logsource');
  if (!logsource || logsource.kind !== 'map') throw new LoadError('rule has no "logsource"', logsource?.loc ?? doc.loc, 'error', 'E_RULE_PARSE');
  const category = scalarText(mapGet(logsource, 'category'));
  const product = scalarText(mapGet(logsource, 'product'));
  const service = scalarText(mapGet(logsource, 'service'));
  const spec = logsourceSpec(category, product, service);
  if (typeof spec === 'string') throw new LoadError(spec, logsource.loc, 'unsupported', 'E_RULE_UNSUPPORTED');

  if (detection.kind !== 'map') throw new LoadError('"detection" must be a map', keyLoc(doc, 'detection') ?? detection.loc, 'error', 'E_RULE_PARSE');
  const timeframe = mapGet(detection, 'timeframe');
  if (timeframe) throw new LoadError('"timeframe" (temporal aggregation) is not supported', timeframe.loc, 'unsupported', 'E_RULE_UNSUPPORTED');
  const condNode = mapGet(detection, 'condition');
  if (!condNode) throw new LoadError('detection has no "condition"', keyLoc(doc, 'detection') ?? detection.loc, 'error', 'E_RULE_PARSE');

  const ctx = { compileRegex: opts.compileRegex ?? defaultCompileRegex, file: path };
  const identifiers: SigmaIdentifier[] = [];
  for (const e of detection.entries) {
    if (e.key === 'condition') continue;
    identifiers.push({ name: e.key, expr: compileIdentifier(e.value, ctx) });
  }
  const names = identifiers.map((i) => i.name);

  const condTexts: Array<{ text: string; loc: SLoc; quoted?: boolean }> = [];
  if (condNode.kind === 'scalar' && condNode.text !== null) condTexts.push({ text: condNode.text, loc: condNode.loc, quoted: condNode.quoted });
  else if (condNode.kind === 'seq') {
    for (const it of condNode.items) {
      if (it.kind !== 'scalar' || it.text === null) throw new LoadError('a condition list may hold only strings', it.loc, 'error', 'E_RULE_PARSE');
      condTexts.push({ text: it.text, loc: it.loc, quoted: it.quoted });
    }
  }
  if (condTexts.length === 0) throw new LoadError('"condition" must be a string or a list of strings', condNode.loc, 'error', 'E_RULE_PARSE');
  const conds: CondNode[] = condTexts.map((c) => {
    try {
      return resolveCondition(parseCondition(c.text), names);
    } catch (err) {
      if (err instanceof ConditionError) {
        // Offsets map to columns exactly for single-line plain scalars; otherwise they point near.
        const single = !c.text.includes('\n');
        const loc = single ? { line: c.loc.line, column: c.loc.column + err.pos + (c.quoted ? 1 : 0) } : c.loc;
        throw new LoadError(`condition: ${err.message}`, loc, err.kind, err.kind === 'unsupported' ? 'E_RULE_UNSUPPORTED' : 'E_RULE_PARSE');
      }
      throw err;
    }
  });
  const condition: CondNode = conds.length === 1 ? conds[0]! : { t: 'or', items: conds };
  const conditionText = condTexts.length === 1 ? condTexts[0]!.text : condTexts.map((c) => `(${c.text})`).join(' or ');

  return new SigmaCompiledRule<SigmaRuleMeta>({ meta: buildMeta(doc, path, docIndex), identifiers, condition, conditionText, logsource: spec });
}

function buildMeta(doc: SNode, path: string, docIndex: number): SigmaRuleMeta {
  const title = scalarText(mapGet(doc, 'title')) ?? '(untitled Sigma rule)';
  const id = scalarText(mapGet(doc, 'id')) ?? `sigma:${path}#${docIndex + 1}`;
  const level = scalarText(mapGet(doc, 'level'));
  const tags = stringList(mapGet(doc, 'tags'));
  const meta: SigmaRuleMeta = {
    id,
    title,
    language: 'sigma',
    origin: 'sigma',
    source: path,
    riskScore: sigmaRiskScore(level),
    techniques: techniquesFromTags(tags),
    messageTemplate: `${title}: $process_name$ on $dest$`,
    tags,
  };
  const description = scalarText(mapGet(doc, 'description'));
  if (description !== undefined) meta.description = description.trim();
  const refs = stringList(mapGet(doc, 'references'));
  if (refs.length) meta.references = refs;
  const fps = stringList(mapGet(doc, 'falsepositives'));
  if (fps.length) meta.falsePositives = fps;
  if (level !== undefined) meta.level = level;
  const status = scalarText(mapGet(doc, 'status'));
  if (status !== undefined) meta.status = status;
  const author = scalarText(mapGet(doc, 'author'));
  if (author !== undefined) meta.author = author;
  const date = scalarText(mapGet(doc, 'date'));
  if (date !== undefined) meta.date = date;
  const modified = scalarText(mapGet(doc, 'modified'));
  if (modified !== undefined) meta.modified = modified;
  return meta;
}

interface PendingCorrelation {
  node: SNode;
  path: string;
  docIndex: number;
  info: DocInfo;
}

const CORRELATION_TYPES: ReadonlySet<string> = new Set(['event_count', 'value_count', 'temporal', 'temporal_ordered']);
const CORRELATION_OPS: ReadonlySet<string> = new Set(['gt', 'gte', 'lt', 'lte', 'eq', 'neq']);

/** Resolve correlations after every file is loaded: rules by id or name, nested correlations, cycles. */
function resolveCorrelations(
  pending: PendingCorrelation[],
  rules: CompiledRule[],
  names: Map<string, CompiledRule>,
  issues: RuleLoadIssue[],
): { correlations: CompiledRule[]; hidden: Set<CompiledRule> } {
  const byId = new Map<string, CompiledRule>();
  for (const r of rules) if (!byId.has(r.meta.id)) byId.set(r.meta.id, r);
  const pendingByRef = new Map<string, PendingCorrelation>();
  for (const pc of pending) {
    const id = scalarText(mapGet(pc.node, 'id'));
    const name = scalarText(mapGet(pc.node, 'name'));
    if (id !== undefined && !pendingByRef.has(id)) pendingByRef.set(id, pc);
    if (name !== undefined && !pendingByRef.has(name)) pendingByRef.set(name, pc);
  }
  const done = new Map<PendingCorrelation, CompiledRule | null>();
  const visiting = new Set<PendingCorrelation>();
  const hidden = new Set<CompiledRule>();
  const correlations: CompiledRule[] = [];

  const build = (pc: PendingCorrelation): CompiledRule | null => {
    if (done.has(pc)) return done.get(pc)!;
    if (visiting.has(pc)) throw new LoadError('correlation cycle: the rule refers back to itself', keyLoc(pc.node, 'correlation') ?? pc.node.loc, 'error', 'E_RULE_PARSE');
    visiting.add(pc);
    try {
      const out = compileCorrelation(pc, (ref, loc) => {
        const r = byId.get(ref) ?? names.get(ref);
        if (r) return r;
        const sub = pendingByRef.get(ref);
        if (sub) {
          const c = build(sub);
          if (c) return c;
          throw new LoadError(`referenced correlation ${ref} could not be loaded`, loc, 'error', 'E_RULE_PARSE');
        }
        throw new LoadError(`unknown rule ${ref}: no loaded rule has this id or name`, loc, 'error', 'E_RULE_PARSE');
      });
      done.set(pc, out.rule);
      if (!out.generate) for (const b of out.rule.parts.bases) hidden.add(b);
      return out.rule;
    } finally {
      visiting.delete(pc);
    }
  };
  for (const pc of pending) {
    try {
      const r = build(pc);
      if (r && !correlations.includes(r)) correlations.push(r);
    } catch (err) {
      done.set(pc, null);
      if (err instanceof LoadError) issues.push(issue(pc.info, err.severity, err.code, err.message, err.loc));
      else issues.push(issue(pc.info, 'error', 'E_INTERNAL', `internal error loading correlation: ${err instanceof Error ? err.message : String(err)}`, pc.node.loc));
    }
  }
  return { correlations, hidden };
}

function compileCorrelation(
  pc: PendingCorrelation,
  resolve: (ref: string, loc: SLoc) => CompiledRule,
): { rule: SigmaCorrelationRule<SigmaRuleMeta>; generate: boolean } {
  const c = mapGet(pc.node, 'correlation')!;
  if (c.kind !== 'map') throw new LoadError('"correlation" must be a map', c.loc, 'error', 'E_RULE_PARSE');
  const typeNode = mapGet(c, 'type');
  const type = scalarText(typeNode);
  if (type === undefined || !CORRELATION_TYPES.has(type)) throw new LoadError(`correlation type must be one of ${[...CORRELATION_TYPES].join(', ')}`, typeNode?.loc ?? c.loc, 'error', 'E_RULE_PARSE');
  const rulesNode = mapGet(c, 'rules');
  const refs = rulesNode?.kind === 'seq' ? rulesNode.items : rulesNode ? [rulesNode] : [];
  if (refs.length === 0) throw new LoadError('correlation has no "rules"', rulesNode?.loc ?? c.loc, 'error', 'E_RULE_PARSE');
  const bases = refs.map((r) => {
    const t = scalarText(r);
    if (t === undefined) throw new LoadError('a correlation rule reference must be a string', r.loc, 'error', 'E_RULE_PARSE');
    return resolve(t, r.loc);
  });
  const tsNode = mapGet(c, 'timespan') ?? mapGet(c, 'timeframe');
  const tsText = scalarText(tsNode);
  const timespanMs = tsText === undefined ? undefined : parseTimespan(tsText);
  if (timespanMs === undefined) throw new LoadError(`bad or missing timespan${tsText !== undefined ? ` "${tsText}"` : ''}: a number and a unit (s, m, h, d, w, M, y), e.g. 5m`, tsNode?.loc ?? c.loc, 'error', 'E_RULE_PARSE');
  const groupNode = mapGet(c, 'group-by');
  const groupBy = stringList(groupNode);
  if (type !== 'event_count' && type !== 'value_count' && groupBy.length === 0 && groupNode) throw new LoadError('"group-by" must list field names', groupNode.loc, 'error', 'E_RULE_PARSE');

  const aliases = new Map<string, Map<string, string>>();
  const aliasNode = mapGet(c, 'aliases');
  if (aliasNode) {
    if (aliasNode.kind !== 'map') throw new LoadError('"aliases" must be a map', aliasNode.loc, 'error', 'E_RULE_PARSE');
    for (const e of aliasNode.entries) {
      if (e.value.kind !== 'map') throw new LoadError(`alias ${e.key} must map rule names to fields`, e.value.loc, 'error', 'E_RULE_PARSE');
      const m = new Map<string, string>();
      for (const re of e.value.entries) {
        const f = scalarText(re.value);
        if (f === undefined) throw new LoadError(`alias ${e.key}: the field for ${re.key} must be a string`, re.value.loc, 'error', 'E_RULE_PARSE');
        m.set(resolve(re.key, re.value.loc).meta.id, f);
      }
      aliases.set(e.key, m);
    }
  }

  const condNode = mapGet(c, 'condition');
  let op: CorrelationOp = 'gte';
  let threshold = bases.length;
  let field: string | undefined;
  if (condNode) {
    if (condNode.kind !== 'map') throw new LoadError('correlation "condition" must be a map (gte: 10)', condNode.loc, 'error', 'E_RULE_PARSE');
    let seenOp = false;
    for (const e of condNode.entries) {
      if (e.key === 'field') {
        field = scalarText(e.value);
        continue;
      }
      if (!CORRELATION_OPS.has(e.key)) throw new LoadError(`unknown condition operator ${e.key} (gt, gte, lt, lte, eq, neq, field)`, e.value.loc, 'error', 'E_RULE_PARSE');
      const n = Number(scalarText(e.value));
      if (!Number.isFinite(n)) throw new LoadError(`condition ${e.key} needs a number`, e.value.loc, 'error', 'E_RULE_PARSE');
      if (seenOp) throw new LoadError('only one condition operator is supported', e.value.loc, 'unsupported', 'E_RULE_UNSUPPORTED');
      op = e.key as CorrelationOp;
      threshold = n;
      seenOp = true;
    }
    if (!seenOp && type !== 'temporal' && type !== 'temporal_ordered') throw new LoadError('correlation condition has no operator', condNode.loc, 'error', 'E_RULE_PARSE');
  } else if (type === 'event_count' || type === 'value_count') {
    throw new LoadError(`${type} needs a "condition"`, c.loc, 'error', 'E_RULE_PARSE');
  }
  if (type === 'value_count' && field === undefined) throw new LoadError('value_count needs "condition: field:"', condNode?.loc ?? c.loc, 'error', 'E_RULE_PARSE');
  const genNode = mapGet(c, 'generate') ?? mapGet(pc.node, 'generate');
  const generate = scalarText(genNode) === 'true';

  const meta = buildMeta(pc.node, pc.path, pc.docIndex);
  meta.messageTemplate = `${meta.title} on $dest$`;
  const parts = { meta, type: type as CorrelationType, bases, groupBy, aliases, timespanMs, op, threshold } as const;
  return { rule: new SigmaCorrelationRule<SigmaRuleMeta>(field !== undefined ? { ...parts, field } : parts), generate };
}
