// Contract between rule languages (SPL, Sigma) and detection: a loaded rule, compiled once,
// evaluated over an EventSource, returning the matching global rows plus explanations.

import type { ErrorInfo, SourceLocation } from '../model/errors.ts';
import type { EventSource } from '../store/view.ts';

export type RuleLanguage = 'spl' | 'sigma';

export interface RuleMeta {
  /** Stable id: built-ins use slugs (`psexec-accepteula`), Sigma rules their own `id`. */
  id: string;
  title: string;
  language: RuleLanguage;
  /** Where the rule came from: `builtin:<file>` or an absolute path. */
  source: string;
  version?: string;
  /** 0..100 */
  riskScore: number;
  impact?: number;
  confidence?: number;
  /** ATT&CK technique ids (`T1021.002`). */
  techniques: string[];
  /** Risk message with `$field$` placeholders. */
  messageTemplate?: string;
  description?: string;
  falsePositives?: string[];
  references?: string[];
  /** Sigma level, when the rule has one. */
  level?: string;
  /** Sigma status (`stable`, `test`, `experimental`, `deprecated`, `unsupported`), when the rule has one. */
  status?: string;
  /** Glyph hint for the timeline (single character). */
  glyph?: string;
  /** SHA-256 of the rule's source text, for the case's record of the rule set used. */
  contentSha256?: string;
  enabled?: boolean;
  /** Marks the verbatim seeds versus Hopscope's own robust variants. */
  origin?: 'seed' | 'hopscope' | 'user' | 'sigma';
}

/** A rule that could not be loaded (or part of a rule set that was skipped), with the reason and where. */
export interface RuleLoadIssue {
  source: string;
  ruleId?: string;
  title?: string;
  severity: 'error' | 'unsupported' | 'warning';
  code: ErrorInfo['code'];
  message: string;
  location?: SourceLocation;
}

/** Why an event matched: which stage and condition, with the field values that satisfied it. */
export interface MatchExplanation {
  stage: string;
  condition: string;
  fields: Record<string, string | null>;
}

export interface RuleRunOptions {
  /** Cooperative time budget for this rule in milliseconds; exceeding it stops the rule with E_RULE_BUDGET. */
  budgetMs?: number;
  /** Checked between rows; returning true aborts with E_CANCELLED. */
  isCancelled?: () => boolean;
  now?: () => number;
}

export interface RuleRunResult {
  ruleId: string;
  /** Matching global rows, ascending, no duplicates. */
  rows: Uint32Array;
  /** Field values of the rule's final output per matching row, when the pipeline produced them (used for risk messages). */
  rowFields?: Map<number, Record<string, string>>;
  error?: ErrorInfo;
  elapsedMs: number;
}

export interface CompiledRule {
  readonly meta: RuleMeta;
  run(source: EventSource, opts?: RuleRunOptions): RuleRunResult;
  /** Explain, for one global row, which conditions held or failed (for "why (not) matched"). */
  explain(source: EventSource, row: number): { matched: boolean; steps: MatchExplanation[] };
}

export interface LoadedRuleSet {
  rules: CompiledRule[];
  issues: RuleLoadIssue[];
}
