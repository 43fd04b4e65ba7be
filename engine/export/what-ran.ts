// "What ran" for an event, as Hayabusa and Chainsaw print key fields: host, user, parent -> process, command line.
// One definition for the scan's text (main/host/scan-text.ts) and the reports (report.ts: JSON, CSV, HTML).
// Invariant: pure over the event's canonical fields; a name absent from every field is `?`, never guessed otherwise.

/** The fields of an event that "what ran" reads (canonical names; null or absent when the evidence has none). */
export type WhatRanSource = Readonly<Partial<Record<'dest' | 'user' | 'parent_process_name' | 'parent_process_path' | 'parent_process' | 'process_name' | 'process_path' | 'process', string | null>>>;

export interface WhatRan {
  host: string | null;
  user: string | null;
  /** The parent's image name (its name field, else the basename of its path or command line), or `?`. */
  parent: string;
  /** The process's image name (its name field, else the basename of its path), or `?`. */
  process: string;
  /** The whole command line (never cut here: the text output cuts it to the terminal, the HTML wraps it). */
  commandLine: string | null;
}

function baseName(p: string | null | undefined): string | undefined {
  if (!p) return undefined;
  const t = p.replace(/^"+|"+$/g, '');
  const i = Math.max(t.lastIndexOf('\\'), t.lastIndexOf('/'));
  return i >= 0 ? t.slice(i + 1) : t;
}

const some = (v: string | null | undefined): string | undefined => (v === null || v === undefined || v === '' ? undefined : v);

export function whatRanOf(c: WhatRanSource): WhatRan {
  return {
    host: some(c.dest) ?? null,
    user: some(c.user) ?? null,
    parent: some(c.parent_process_name) ?? baseName(c.parent_process_path) ?? baseName(c.parent_process) ?? '?',
    process: some(c.process_name) ?? baseName(c.process_path) ?? '?',
    commandLine: some(c.process) ?? null,
  };
}
