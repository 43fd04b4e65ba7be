// Rule text with a per-character origin, so errors after macro expansion still point into the file
// (and line/column) where the offending characters were written: the rule or macros.conf.

import type { SourceLocation } from '../../model/errors.ts';

export interface SourceText {
  readonly text: string;
  /** Origin of each character of `text`; `origins.length === text.length`. */
  readonly origins: readonly SourceLocation[];
  /** Origin used for positions at or past the end of the text. */
  readonly end: SourceLocation;
}

/** Origins for text that starts at (line, column) of `file`; line breaks advance the line. */
export function sourceFromText(text: string, file: string | undefined, line = 1, column = 1): SourceText {
  const origins: SourceLocation[] = [];
  let l = line;
  let c = column;
  for (let i = 0; i < text.length; i++) {
    origins.push(file === undefined ? { line: l, column: c } : { file, line: l, column: c });
    if (text[i] === '\n') {
      l++;
      c = 1;
    } else {
      c++;
    }
  }
  const end: SourceLocation = file === undefined ? { line: l, column: c } : { file, line: l, column: c };
  return { text, origins, end };
}

export function locAt(src: SourceText, offset: number): SourceLocation {
  return src.origins[offset] ?? src.end;
}

export function sliceSource(src: SourceText, start: number, end: number): SourceText {
  return { text: src.text.slice(start, end), origins: src.origins.slice(start, end), end: src.origins[end] ?? src.end };
}

export function concatSources(parts: readonly SourceText[], end: SourceLocation): SourceText {
  let text = '';
  const origins: SourceLocation[] = [];
  for (const p of parts) {
    text += p.text;
    for (const o of p.origins) origins.push(o);
  }
  return { text, origins, end };
}
