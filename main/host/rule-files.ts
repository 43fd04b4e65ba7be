// Reads rule sources from disk for the engine: built-in rules (resources/rules), user rule folders and Sigma paths.
// Invariant: rule files are only read (never written), in a stable sorted order, so the same folders give the
// same rule set; a path that does not exist is an E_USAGE error naming it; a file too large to read is handed on as
// refused (a rule issue in the loaded set), never an error that stops every case.

import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import { HopscopeError } from '../../engine/model/errors.ts';
import type { LoadRulesParams, TextFile } from '../../engine/rpc/protocol.ts';

export interface RuleSources {
  /** resources/rules; its *.yml are rule-pack files, *.conf macros, and its `sigma/` folder Sigma rules. */
  builtinDir?: string;
  /** User rule-pack files or folders (SPL rule YAML and macros.conf). */
  rulePaths?: string[];
  /** User Sigma rule files or folders (a SigmaHQ checkout). */
  sigmaPaths?: string[];
  enabledIds?: string[];
}

const MAX_RULE_FILES = 20_000;
const MAX_RULE_BYTES = 4 * 1024 * 1024;
const YAML = new Set(['.yml', '.yaml']);

async function walk(dir: string, out: string[], skipDirs: ReadonlySet<string> = new Set()): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!skipDirs.has(p)) await walk(p, out, skipDirs);
    } else if (e.isFile()) {
      out.push(p);
    }
    if (out.length > MAX_RULE_FILES) throw new HopscopeError('E_USAGE', `more than ${MAX_RULE_FILES} files under ${dir}`);
  }
}

/** Files named by a path: itself when it is a file, its files (recursively, sorted) when a folder. */
export async function listFiles(path: string, skipDirs?: ReadonlySet<string>): Promise<string[]> {
  let s;
  try {
    s = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new HopscopeError('E_USAGE', `cannot read rules '${path}': ${code}`, { file: path });
  }
  if (s.isFile()) return [path];
  const out: string[] = [];
  await walk(path, out, skipDirs);
  return out;
}

/** A rule file's text; one over MAX_RULE_BYTES is not read but handed on as refused, so it is one listed rule issue. */
async function readText(path: string, display: string): Promise<TextFile> {
  const s = await stat(path);
  if (s.size > MAX_RULE_BYTES) return { path: display, text: '', refused: `rule file too large (${s.size} bytes; the limit is ${MAX_RULE_BYTES})` };
  return { path: display, text: await readFile(path, { encoding: 'utf8', flag: 'r' }) };
}

/**
 * A Sigma rule rather than an SPL rule-pack file: a top-level `logsource:` or `detection:` key (or `correlation:`), and
 * no top-level `language:` key (rule-pack files state `language: spl`).
 */
export function looksLikeSigma(text: string): boolean {
  if (/^language\s*:/m.test(text)) return false;
  return /^(logsource|detection|correlation)\s*:/m.test(text);
}

/** Collect rule texts; built-in files are named `builtin:<relative path>` so reports never leak install paths. */
export async function collectRuleFiles(src: RuleSources): Promise<LoadRulesParams> {
  const files: TextFile[] = [];
  const macros: TextFile[] = [];
  const sigmaFiles: TextFile[] = [];

  if (src.builtinDir) {
    const dir = resolve(src.builtinDir);
    const sigmaDir = join(dir, 'sigma');
    let all: string[] = [];
    try {
      all = await listFiles(dir);
    } catch {
      all = [];
    }
    for (const p of all) {
      const rel = relative(dir, p).split(sep).join('/');
      const ext = extname(p).toLowerCase();
      const display = `builtin:${rel.replace(/^builtin\//, '')}`;
      if (p.startsWith(sigmaDir + sep)) {
        if (YAML.has(ext)) sigmaFiles.push(await readText(p, display));
      } else if (ext === '.conf') macros.push(await readText(p, display));
      else if (YAML.has(ext)) files.push(await readText(p, display));
    }
  }
  for (const root of src.rulePaths ?? []) {
    for (const p of await listFiles(resolve(root))) {
      const ext = extname(p).toLowerCase();
      if (ext === '.conf') macros.push(await readText(p, p));
      else if (YAML.has(ext)) {
        // `--rules` takes Sigma files and folders too, told apart by content (a SigmaHQ folder is Sigma throughout).
        const file = await readText(p, p);
        (looksLikeSigma(file.text) ? sigmaFiles : files).push(file);
      }
    }
  }
  for (const root of src.sigmaPaths ?? []) {
    for (const p of await listFiles(resolve(root))) {
      if (YAML.has(extname(p).toLowerCase()) && !basename(p).startsWith('.')) sigmaFiles.push(await readText(p, p));
    }
  }
  const out: LoadRulesParams = { files, macros, sigmaFiles };
  if (src.enabledIds) out.enabledIds = src.enabledIds;
  return out;
}
