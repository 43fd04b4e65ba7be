// The Sigma engine over the real columnar store (dictionary and arena columns, aliased originals) must
// give exactly what it gives over the reference memory view, for the whole SigmaHQ corpus on recorded
// events (shared data; skipped when absent).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createIngestor, ingestText } from '../../../../engine/ingest/index.ts';
import { loadSigmaRules } from '../../../../engine/rules/sigma/index.ts';
import { SegmentBuilder } from '../../../../engine/store/builder.ts';
import { createMemorySource } from '../../../../engine/store/memory-view.ts';
import { EventStore } from '../../../../engine/store/store.ts';

const sharedData = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..', '../shared/data');
const corpus = join(sharedData, 'sigma/rules-process-creation');
const regression = join(sharedData, 'sigma/regression');
const background = join(sharedData, 'evtxattack-art-background/PanacheSysmon_vs_AtomicRedTeam01.xml');

describe.skipIf(![corpus, regression, background].every(existsSync))('Sigma over EventStore equals Sigma over memory views (shared data)', () => {
  it('every corpus rule returns the same rows', () => {
    const xmls = [
      readFileSync(background, 'utf8'),
      ...readdirSync(regression).sort().flatMap((d) => readdirSync(join(regression, d)).filter((f) => f.endsWith('.xml')).map((f) => readFileSync(join(regression, d, f), 'utf8'))),
    ];
    // Store: one segment per evidence file, as the worker builds them; a small switch check makes
    // some columns dictionaries and others arenas.
    const segments = xmls.map((text, evidence) => {
      const b = new SegmentBuilder({ evidence, evidenceName: `e${evidence}.xml`, firstSwitchCheck: { canonical: 16, original: 16 } });
      const ing = createIngestor({ evidence, fileName: `e${evidence}.xml`, sink: b, keepRawText: true });
      ing.push(text);
      ing.end();
      return b.finish();
    });
    const store = new EventStore(segments, xmls.map((_, i) => `e${i}.xml`));
    const events = xmls.flatMap((text, evidence) => ingestText(text, { evidence }).events);
    expect(store.rowCount).toBe(events.length);
    const sizes = xmls.map((text) => ingestText(text).events.length);
    const memory = createMemorySource(events, sizes, { evidenceNames: xmls.map((_, i) => `e${i}.xml`) });

    const set = loadSigmaRules(readdirSync(corpus).sort().map((n) => ({ path: join(corpus, n), text: readFileSync(join(corpus, n), 'utf8') })));
    let total = 0;
    const differ: string[] = [];
    for (const r of set.rules) {
      const a = Array.from(r.run(store).rows);
      const b = Array.from(r.run(memory).rows);
      total += a.length;
      if (a.join() !== b.join()) differ.push(`${r.meta.source}: store [${a.slice(0, 5)}] memory [${b.slice(0, 5)}]`);
    }
    expect(differ).toEqual([]);
    expect(total).toBeGreaterThan(100);
  });
});
