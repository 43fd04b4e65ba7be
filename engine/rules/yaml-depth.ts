// Nesting depth of YAML text, measured before the yaml library parses it (issue 16, item 14): the library recurses
// per level, so 100,000 nested `[` or `- ` would overflow the stack ("Maximum call stack size exceeded", no location).
// Invariant: linear in the text, never recursive; an over-deep file is refused at the line where it passes the limit.

/** Deepest nesting of flow collections and compact block sequences a rule file may have. */
export const MAX_YAML_DEPTH = 64;

/** Line and column where `text` nests deeper than `max`, or null. Quotes and comments are skipped roughly. */
export function yamlTooDeep(text: string, max = MAX_YAML_DEPTH): { line: number; column: number } | null {
  let flow = 0;
  let line = 1;
  let lineStart = 0;
  let quote = 0;
  let atLineStart = true;
  let compact = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
      atLineStart = true;
      compact = 0;
      if (quote === 39 || quote === 34) continue;
      continue;
    }
    if (quote) {
      if (c === quote) quote = 0;
      else if (c === 92 && quote === 34) i++;
      continue;
    }
    if (atLineStart) {
      if (c === 32 || c === 9) continue;
      // `- - - x`: each `- ` on a line opens one more block sequence.
      if (c === 45 && (text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 9)) {
        if (++compact + flow > max) return { line, column: i - lineStart + 1 };
        i++;
        continue;
      }
      atLineStart = false;
    }
    if (c === 35 && (i === lineStart || text.charCodeAt(i - 1) === 32 || text.charCodeAt(i - 1) === 9)) {
      // A comment: skip to the end of the line.
      const nl = text.indexOf('\n', i);
      if (nl === -1) break;
      i = nl - 1;
      continue;
    }
    if (c === 34 || c === 39) quote = c;
    else if (c === 91 || c === 123) {
      if (++flow + compact > max) return { line, column: i - lineStart + 1 };
    } else if ((c === 93 || c === 125) && flow > 0) flow--;
  }
  return null;
}
