// Every line the CLI writes to the terminal escapes control characters in log and rule text (issue 16, item 11's
// check beyond the scan summary): an unknown layout's column names, file names in warnings and rule issues cannot
// clear the screen, set the title or plant a hyperlink.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..', '..');
const cli = join(root, 'dist', 'host', 'cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'hopscope-cli-term-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

describe('CLI terminal output', () => {
  it('escapes controls in an unknown layout\'s column names and in rule issues', () => {
    const ev = join(tmp, 'odd.csv');
    writeFileSync(ev, 'col\x1b]0;pwned\x07,other\x1b[2J,\u202eexe\n1,2,3\n');
    const rules = join(tmp, 'rules');
    mkdirSync(rules);
    writeFileSync(join(rules, 'bad.yml'), 'id: bad\x1b[2J\ntitle: t\x07\nlanguage: spl\nrisk_score: 1\nsearch: `nope\x1b]8;;http://x\x07`\n');
    const r = spawnSync(process.execPath, [cli, 'scan', '--rules', rules, ev], { cwd: root, encoding: 'utf8', env: { ...process.env, INIT_CWD: root } });
    expect(r.stderr).toMatch(/col\\x1b\]0;pwned\\x07/);
    expect(RAW.test(r.stderr), JSON.stringify(r.stderr.slice(0, 400))).toBe(false);
    expect(RAW.test(r.stdout)).toBe(false);
  }, 60_000);
});
