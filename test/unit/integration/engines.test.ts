// package.json `engines.node` is what the project really needs: every locked package's own Node range covers it,
// except the development-only Electron packages README names (they warn EBADENGINE on Node 20 and run only for
// `npx install-electron` and `npm run dist`).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
// semver comes with npm's own dependency tree (no types; only subset/satisfies are used).
const semver = createRequire(join(root, 'package.json'))('semver') as {
  subset(sub: string, dom: string): boolean;
  satisfies(v: string, range: string): boolean;
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean; dev?: boolean }>;
};
const README = readFileSync(join(root, 'README.md'), 'utf8');
/** Development-only packages that need Node >= 22.12 and are never loaded by build, tests, web or scan. */
const NEEDS_NODE_22 = ['electron', '@electron/get', '@electron-internal/extract-zip', '@electron/rebuild', 'node-abi'];

describe('engines', () => {
  it('the project range holds the Node running the tests, and package-lock.json records the same range', () => {
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
    expect((lock.packages['']!.engines as { node: string }).node).toBe(pkg.engines.node);
  });

  it("every locked package's Node range covers the project's, but the Electron dev packages README names", () => {
    const beyond: string[] = [];
    for (const [path, p] of Object.entries(lock.packages)) {
      const range = !Array.isArray(p.engines) ? p.engines?.node : undefined;
      if (!path || !range || p.optional) continue; // optional = another platform's binding
      if (!semver.subset(pkg.engines.node, range)) beyond.push(path.slice(path.lastIndexOf('node_modules/') + 13));
    }
    expect([...new Set(beyond)].sort()).toEqual([...NEEDS_NODE_22].sort());
    for (const name of NEEDS_NODE_22) {
      expect(lock.packages[`node_modules/${name}`]?.dev).toBe(true);
      expect(README).toContain(`\`${name}\``);
    }
    expect(README).toContain(`\`${pkg.engines.node}\``);
  });
});
