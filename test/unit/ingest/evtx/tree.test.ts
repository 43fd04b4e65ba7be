// The reader's element tree (readEvtxChunk { tree: true }) is exactly what the app's XML parser makes of the
// record's text: same names, attributes, text (indentation of elements with children included) and children. The
// record mapper takes the tree instead of parsing the text again, so this equality is what keeps an .evtx event
// identical to its XML export's. Checked on the bundled sample, the test builder's seeds and, when present, every
// .evtx under ../shared/data; records the tree does not model (CDATA, PIs, references) carry no tree.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readEvtxChunk } from '../../../../engine/ingest/evtx/chunk.ts';
import { EVTX_CHUNK_BYTES, EVTX_FILE_HEADER_BYTES, type EvtxRecord } from '../../../../engine/ingest/evtx/types.ts';
import { parseXmlElement, type XmlNode } from '../../../../engine/xml/parse.ts';
import { evtxFuzzSeeds } from './build.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DATA = join(ROOT, '..', 'shared', 'data');

function evtxFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) {
        if (depth < 3) walk(p, depth + 1);
      } else if (n.endsWith('.evtx')) out.push(p);
    }
  };
  if (existsSync(DATA)) walk(DATA, 0);
  return out;
}

function records(bytes: Uint8Array): EvtxRecord[] {
  const out: EvtxRecord[] = [];
  const sink = { record: (r: EvtxRecord) => out.push(r), damaged: () => undefined };
  for (let off = EVTX_FILE_HEADER_BYTES, i = 0; off < bytes.length; off += EVTX_CHUNK_BYTES, i++) {
    readEvtxChunk(bytes.subarray(off, Math.min(off + EVTX_CHUNK_BYTES, bytes.length)), i, off, sink, { tree: true });
  }
  return out;
}

/** Compares trees; returns the path of the first difference, or null. */
function diff(a: XmlNode, b: XmlNode, path = ''): string | null {
  const here = `${path}/${a.name}`;
  if (a.name !== b.name) return `${here}: name ${b.name}`;
  if (JSON.stringify(a.attrs) !== JSON.stringify(b.attrs)) return `${here}: attrs ${JSON.stringify(a.attrs)} vs ${JSON.stringify(b.attrs)}`;
  if (a.text !== b.text) return `${here}: text ${JSON.stringify(a.text)} vs ${JSON.stringify(b.text)}`;
  if (a.children.length !== b.children.length) return `${here}: ${a.children.length} vs ${b.children.length} children`;
  for (let i = 0; i < a.children.length; i++) {
    const d = diff(a.children[i]!, b.children[i]!, here);
    if (d) return d;
  }
  return null;
}

function check(label: string, bytes: Uint8Array): { withTree: number; without: number } {
  let withTree = 0;
  let without = 0;
  for (const r of records(bytes)) {
    if (!r.tree) {
      without++;
      continue;
    }
    withTree++;
    const d = diff(r.tree, parseXmlElement(r.xml));
    if (d) throw new Error(`${label} record ${r.recordId}: ${d}`);
  }
  return { withTree, without };
}

describe('EVTX element tree', () => {
  it('equals the parse of the record text on the bundled sample and the builder seeds', () => {
    const sample = check('sample', readFileSync(join(ROOT, 'resources', 'samples', 'corp-lateral-movement.evtx')));
    expect(sample).toEqual({ withTree: 385, without: 0 });
    let seen = 0;
    evtxFuzzSeeds().forEach((b, i) => {
      seen += check(`seed ${i}`, b).withTree;
    });
    expect(seen).toBeGreaterThan(0);
  });

  const files = evtxFiles();
  it.skipIf(files.length === 0)(`equals the parse of the record text on every .evtx under ../shared/data (${files.length} files)`, () => {
    let withTree = 0;
    let without = 0;
    for (const f of files) {
      const r = check(f.slice(DATA.length + 1), new Uint8Array(readFileSync(f)));
      withTree += r.withTree;
      without += r.without;
    }
    expect(withTree).toBeGreaterThan(20_000);
    // Records with CDATA, processing instructions or references are parsed from their text instead: a few.
    expect(without).toBeLessThan(withTree / 100);
  }, 120_000);
});
