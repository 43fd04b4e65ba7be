// Command-line evidence files: positional only, resolved against the directory the user typed them in.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { argvCwd, filesFromArgv } from '../../../main/electron/cli-args.ts';

const CWD = resolve('/home/analyst/case');

describe('filesFromArgv', () => {
  it('skips the executable and, in development, the app path', () => {
    expect(filesFromArgv(['/usr/bin/electron', '.', 'a.csv'], { defaultApp: true, cwd: CWD })).toEqual([resolve(CWD, 'a.csv')]);
    expect(filesFromArgv(['/opt/Hopscope/hopscope', 'a.csv'], { defaultApp: false, cwd: CWD })).toEqual([resolve(CWD, 'a.csv')]);
    expect(filesFromArgv(['/opt/Hopscope/hopscope'], { defaultApp: false, cwd: CWD })).toEqual([]);
  });

  it('ignores Chromium/Electron switches but honours -- for dash-named files', () => {
    const argv = ['/e', '.', '--no-sandbox', '--inspect=9229', '-psn_0_42', 'x.xml', '--', '-odd.csv'];
    expect(filesFromArgv(argv, { defaultApp: true, cwd: CWD })).toEqual([resolve(CWD, 'x.xml'), resolve(CWD, '-odd.csv')]);
  });

  it('keeps absolute paths, drops duplicates, empty and NUL-bearing arguments', () => {
    const argv = ['/e', '/evidence/a.csv', 'b.csv', './b.csv', '', 'c\0.csv'];
    expect(filesFromArgv(argv, { defaultApp: false, cwd: CWD })).toEqual([resolve('/evidence/a.csv'), resolve(CWD, 'b.csv')]);
  });
});

describe('argvCwd', () => {
  it('prefers INIT_CWD (where npm was run) over the process cwd', () => {
    expect(argvCwd({ INIT_CWD: '/from/npm' }, '/repo')).toBe('/from/npm');
    expect(argvCwd({}, '/repo')).toBe('/repo');
    expect(argvCwd({ INIT_CWD: '' }, '/repo')).toBe('/repo');
  });
});
