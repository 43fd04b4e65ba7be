// SPL abstract syntax: search expressions, eval expressions and pipeline commands.
// Invariant: every node keeps start/end offsets into the macro-expanded text (whose origins locate it in files).

export interface Span {
  start: number;
  end: number;
}

/** Search-language booleans (search command, tstats where): case-insensitive, wildcards, text terms. */
export type SearchNode =
  | ({ t: 'and'; items: SearchNode[] } & Span)
  | ({ t: 'or'; items: SearchNode[] } & Span)
  | ({ t: 'not'; item: SearchNode } & Span)
  | ({ t: 'all' } & Span)
  /** Bare word, quoted phrase or TERM(...)/CASE(...): a substring of the event text (case-insensitive unless
   * `cased`); `bounded` (TERM) also needs non-word characters on both sides. */
  | ({ t: 'term'; value: string; cased: boolean; bounded: boolean } & Span)
  | ({ t: 'cmp'; field: string; op: CmpOp; value: string } & Span)
  | ({ t: 'in'; field: string; values: string[] } & Span);

export type CmpOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

/** where/eval expressions. */
export type Expr =
  | ({ t: 'lit'; v: string | number | boolean | null } & Span)
  | ({ t: 'field'; name: string } & Span)
  | ({ t: 'call'; name: string; args: Expr[] } & Span)
  | ({ t: 'bin'; op: string; l: Expr; r: Expr } & Span)
  | ({ t: 'not'; e: Expr } & Span)
  | ({ t: 'neg'; e: Expr } & Span)
  | ({ t: 'in'; e: Expr; list: Expr[] } & Span);

export interface AggSpec extends Span {
  fn: string;
  /** Field (or `*` pattern) the aggregation reads, as written; null for bare `count`. */
  arg: string | null;
  /** Output name (`as` or Splunk's default `fn(arg)`). */
  out: string;
}

export interface TstatsSpec {
  options: Record<string, string>;
  datamodel: string | null;
  /** The data-model node prefix (`Processes` for `Endpoint.Processes`): `Processes.x` reads canonical `x`. */
  nodePrefix: string | null;
  where: SearchNode | null;
}

export type Command =
  | ({ c: 'search'; expr: SearchNode } & Span)
  | ({ c: 'where'; expr: Expr } & Span)
  | ({ c: 'eval'; assigns: Array<{ field: string; expr: Expr }> } & Span)
  | ({ c: 'table'; fields: string[] } & Span)
  | ({ c: 'fields'; remove: boolean; fields: string[] } & Span)
  | ({ c: 'rename'; pairs: Array<{ from: string; to: string }> } & Span)
  | ({ c: 'bin'; field: string; spanSec: number; as: string | null } & Span)
  | ({ c: 'stats'; aggs: AggSpec[]; by: string[]; tstats: TstatsSpec | null } & Span)
  /** Result order does not change which events a rule returns; kept for fidelity of the pipeline text. */
  | ({ c: 'sort' } & Span)
  | ({ c: 'fillnull'; value: string; fields: string[] } & Span)
  | ({ c: 'convert'; timeformat: string; conversions: Array<{ fn: 'ctime'; field: string; as: string | null }> } & Span);

export interface Pipeline {
  commands: Command[];
}
