// Flattens a parsed JSON object into dotted original names and string values (nested JSON -> `a.b.c`).
// Invariant: bounded depth; numbers/booleans become their JSON text; arrays of scalars become JSON text.

export const MAX_JSON_DEPTH = 64;

export function flattenJson(obj: Record<string, unknown>, names: string[], values: string[], prefix = '', depth = 0): void {
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    const name = prefix ? prefix + '.' + key : key;
    if (v === null || v === undefined) {
      names.push(name);
      values.push('');
    } else if (typeof v === 'string') {
      names.push(name);
      values.push(v);
    } else if (typeof v === 'number' || typeof v === 'boolean') {
      names.push(name);
      values.push(String(v));
    } else if (Array.isArray(v)) {
      names.push(name);
      values.push(JSON.stringify(v));
    } else if (typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) {
        names.push(name);
        values.push(JSON.stringify(v));
      } else flattenJson(v as Record<string, unknown>, names, values, name, depth + 1);
    }
  }
}
