// electron-builder config: identity, targets, fuses (checklist #19), no publish/auto-update, and a valid 512x512 PNG icon.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
type Cfg = Record<string, any>;
const config = require(join(ROOT, 'electron-builder.config.cjs')) as Cfg;

describe('electron-builder config', () => {
  it('names the app', () => {
    expect(config.appId).toBe('org.hopscope.app');
    expect(config.productName).toBe('Hopscope');
    expect(config.directories.output).toBe('release');
    expect(config.asar).toBe(true);
  });

  it('builds AppImage + deb, NSIS and DMG', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.category).toBe('Utility');
    expect(config.linux.desktop.entry.Categories).toContain('Security');
    expect(config.linux.maintainer).toMatch(/\S+ <[^@\s]+@[^@\s]+>/);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.mac.category).toBe('public.app-category.developer-tools');
    expect(config.mac.hardenedRuntime).toBe(true);
  });

  it('sets every security fuse', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('never publishes and configures no update provider anywhere', () => {
    expect(config.publish).toBeNull();
    const text = JSON.stringify(config);
    for (const platform of ['linux', 'win', 'mac', 'nsis', 'dmg', 'deb']) expect(config[platform]?.publish).toBeUndefined();
    expect(text).not.toMatch(/"provider"|autoUpdate|https?:\/\//i);
  });

  it('ships the bundle and our resources, not the sources', () => {
    expect(config.files).toContain('dist/**/*');
    expect(config.files.some((f: string) => /^(main|engine|renderer|test)\//.test(f))).toBe(false);
    const extra = config.extraResources.map((e: { from: string; to: string }) => [e.from, e.to]);
    expect(extra).toEqual(
      expect.arrayContaining([
        ['resources/rules', 'resources/rules'],
        ['resources/samples', 'resources/samples'],
        ['dist/host/engine-worker.js', 'engine/engine-worker.mjs'],
      ]),
    );
  });

  it("passes electron-builder's own schema validation", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
    const { DebugLogger } = require('builder-util');
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    await expect(validateConfiguration({ ...config, notAnOption: true }, new DebugLogger(false))).rejects.toThrow();
  });
});

describe('icon', () => {
  const icons = new Set([config.linux.icon, config.win.icon, config.mac.icon]);

  it('is one committed PNG used by every platform, with its SVG source', () => {
    expect(icons.size).toBe(1);
    expect(existsSync(join(ROOT, 'resources', 'icons', 'icon.svg'))).toBe(true);
  });

  it('is a valid 512x512 RGBA PNG (signature, chunk CRCs, full image data)', () => {
    const buf = readFileSync(join(ROOT, [...icons][0]));
    expect([...buf.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const crcTable = Array.from({ length: 256 }, (_, n) => {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      return c >>> 0;
    });
    const crc32 = (b: Uint8Array) => {
      let c = 0xffffffff;
      for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
      return (c ^ 0xffffffff) >>> 0;
    };
    const chunks: Array<{ type: string; data: Buffer }> = [];
    let off = 8;
    while (off < buf.length) {
      const len = buf.readUInt32BE(off);
      const type = buf.toString('ascii', off + 4, off + 8);
      const data = buf.subarray(off + 8, off + 8 + len);
      expect(buf.readUInt32BE(off + 8 + len)).toBe(crc32(buf.subarray(off + 4, off + 8 + len)));
      chunks.push({ type, data });
      off += 12 + len;
    }
    expect(chunks[0]!.type).toBe('IHDR');
    expect(chunks.at(-1)!.type).toBe('IEND');
    const ihdr = chunks[0]!.data;
    expect(ihdr.readUInt32BE(0)).toBe(512);
    expect(ihdr.readUInt32BE(4)).toBe(512);
    expect(ihdr[8]).toBe(8);
    expect(ihdr[9]).toBe(6);
    const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
    expect(raw.length).toBe(512 * (512 * 4 + 1));
  });
});
