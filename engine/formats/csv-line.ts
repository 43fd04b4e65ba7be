// One CSV line from a record's values (RFC 4180 quoting), the text a CSV record's raw field and exports are rebuilt as.

/** Re-serialises a CSV row (RFC 4180 quoting) for display as the record's raw text. */
export function csvLine(values: ReadonlyArray<string | undefined>, delimiter = ','): string {
  let out = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? '';
    if (i) out += delimiter;
    if (v.includes('"') || v.includes(delimiter) || v.includes('\n') || v.includes('\r')) out += '"' + v.replace(/"/g, '""') + '"';
    else out += v;
  }
  return out;
}
