// Where a filter error points: the applied filter split around the 1-based column the error names, so the
// offending character can be underlined with a caret beneath it (columns past the end point just after it).

export interface CaretParts {
  before: string;
  at: string;
  after: string;
}

export function caretParts(text: string, column: number | undefined): CaretParts | null {
  if (column === undefined || !Number.isFinite(column)) return null;
  const chars = [...text];
  const i = Math.max(0, Math.min(chars.length, Math.floor(column) - 1));
  return { before: chars.slice(0, i).join(''), at: chars[i] ?? ' ', after: chars.slice(i + 1).join('') };
}

/** A filter error as one line: its code and message, the column named once (the engine's message may already end with it). */
export function filterErrorText(err: { code: string; message: string; location?: { column?: number } }): string {
  const column = err.location?.column;
  const message = err.message.replace(/ \(column \d+\)$/, '');
  return `${err.code}: ${message}${column !== undefined ? ` (column ${column})` : ''}`;
}
