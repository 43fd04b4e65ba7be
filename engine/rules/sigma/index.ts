// Public API of the Sigma engine (process_creation rules over EventSource views).
// Invariant: callers import from here only; the modules behind it may change shape.

export {
  loadSigmaRules,
  compileSigmaRule,
  sigmaRiskScore,
  techniquesFromTags,
  SIGMA_LEVEL_RISK,
  SIGMA_DEFAULT_RISK,
  type SigmaFile,
  type SigmaLoadOptions,
  type SigmaRuleMeta,
} from './load.ts';
export { SigmaCompiledRule } from './runtime.ts';
export { SigmaCorrelationRule, parseTimespan, type CorrelationParts, type CorrelationType } from './correlation.ts';
export { SIGMA_FIELD_MAP, bindField, describeMapping, type BoundField, type FieldSource } from './field-map.ts';
