// Contract for rule regular expressions (SPL `match`/`regex`, Sigma `|re`): PCRE in, a safe matcher out.
// Invariant: a pattern either translates faithfully or is refused with a located error; matching is
// linear-time or statically proven safe, so hostile evidence cannot hang a scan.

import type { SourceLocation } from '../../model/errors.ts';

export interface RegexOptions {
  /** PCRE flags outside the pattern (Sigma's `i`, `m`, `s` modifiers). */
  caseInsensitive?: boolean;
  multiline?: boolean;
  dotAll?: boolean;
  /** Where the pattern sits in its rule file, so errors point into the rule. */
  location?: SourceLocation;
}

export interface SafeRegex {
  /** The pattern as written. */
  readonly source: string;
  /** Which engine runs it: V8's RegExp when statically safe, the linear-time engine otherwise. */
  readonly engine: 'native' | 'linear';
  /** Lower-cased literals every match must contain (empty when unknown): cheap prefilters. */
  readonly requiredLiterals: readonly string[];
  test(input: string): boolean;
}

export type CompileRegex = (pcre: string, opts?: RegexOptions) => SafeRegex;
