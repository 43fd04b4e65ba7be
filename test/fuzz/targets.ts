// Every fuzz target in one place for `npm run fuzz` (test/fuzz/run.mjs bundles this file): the same functions
// the vitest suites call, with the iteration count and base seed given by the caller, plus one-input replay.

import { fuzzOneReader, fuzzReaders, type TargetResult } from './readers.ts';
import { forcedFormatSeeds, ownSeeds, sharedSeeds } from './seeds.ts';
import { fuzzValidateRequest, fuzzWorkerProtocol, mutateRequest } from './protocol.ts';
import { fuzzSigmaRules, fuzzSplRules } from './rules.ts';
import { fuzzStore } from './store.ts';
import { fuzzExports } from './exports.ts';
import { fuzzFilter } from './filter.ts';
import { fuzzAnnotations } from './annotations.ts';
import { fuzzEvtx } from './evtx.ts';
import { fuzzWebHttp, fuzzWebSocket, fuzzWebUpload, startFixture } from './web.ts';
import * as P from './pathological.ts';
import { Rand } from './lib.ts';
import { validateRequest } from '../../engine/rpc/validate.ts';

export type { TargetResult };

export interface RunOptions {
  iterations: number;
  seed: number;
  /** Substring filter on target names. */
  only?: string;
  /** Size of the pathological inputs in MiB (field, long lines). */
  pathologicalMiB: number;
  log(line: string): void;
}

type Target = { name: string; run(): Promise<TargetResult> | TargetResult };

export function targets(o: RunOptions): Target[] {
  const own = ownSeeds();
  const list: Target[] = [];
  for (const s of own) list.push({ name: `readers:${s.name}`, run: () => fuzzReaders(s, own, o.iterations, o.seed) });
  for (const s of sharedSeeds()) list.push({ name: `readers:${s.name}`, run: () => fuzzReaders(s, own, Math.ceil(o.iterations / 5), o.seed) });
  for (const s of forcedFormatSeeds()) list.push({ name: `readers:${s.name}`, run: () => fuzzReaders(s, own, Math.ceil(o.iterations / 10), o.seed) });
  for (const s of own) list.push({ name: `store:${s.name}`, run: () => fuzzStore(s, own, Math.ceil(o.iterations / 3), o.seed) });
  for (const s of sharedSeeds(8000)) list.push({ name: `store:${s.name}`, run: () => fuzzStore(s, own, Math.ceil(o.iterations / 15), o.seed) });
  list.push({ name: 'readers:evtx', run: () => fuzzEvtx(o.iterations, o.seed) });
  list.push({ name: 'protocol:validateRequest', run: () => fuzzValidateRequest(o.iterations * 10, o.seed) });
  list.push({ name: 'protocol:worker', run: () => fuzzWorkerProtocol(o.iterations * 10, o.seed) });
  list.push({ name: 'query:filter', run: () => fuzzFilter(o.iterations * 10, o.seed) });
  list.push({ name: 'case:annotations', run: () => fuzzAnnotations(o.iterations * 10, o.seed) });
  list.push({ name: 'exports', run: () => fuzzExports(o.iterations, o.seed) });
  list.push({ name: 'rules:spl', run: () => fuzzSplRules(o.iterations, o.seed) });
  list.push({ name: 'rules:sigma', run: () => fuzzSigmaRules(o.iterations, o.seed) });
  list.push({
    name: 'web:http+websocket+upload',
    async run() {
      const fx = await startFixture();
      try {
        const a = await fuzzWebHttp(fx, o.iterations, o.seed);
        const b = await fuzzWebSocket(fx, o.iterations, o.seed);
        const c = await fuzzWebUpload(fx, Math.ceil(o.iterations / 3), o.seed);
        return { target: 'web:http+websocket+upload', tried: a.tried + b.tried + c.tried, refused: a.refused + b.refused + c.refused, failures: [...a.failures, ...b.failures, ...c.failures] };
      } finally {
        await fx.close();
      }
    },
  });
  list.push({ name: 'pathological', run: () => pathological(o) });
  return o.only ? list.filter((t) => t.name.includes(o.only!)) : list;
}

/** The pathological inputs at the requested size; prints what each measured (time, peak heap, outcome). */
async function pathological(o: RunOptions): Promise<TargetResult> {
  const res: TargetResult = { target: 'pathological', tried: 0, failures: [], refused: 0 };
  const mb = o.pathologicalMiB;
  const cases: Array<[string, () => P.PathoOutcome | Promise<P.PathoOutcome>]> = [
    [`csv field ${mb} MiB (stream)`, () => P.hugeCsvField(mb)],
    [`csv field ${Math.min(mb, 30)} MiB (ingestFile)`, () => P.hugeCsvFieldFile(Math.min(mb, 30))],
    ['1,000,000 columns (known)', () => P.wideHeader(1_000_000, true)],
    ['1,000,000 columns (unknown)', () => P.wideHeader(1_000_000, false)],
    ['JSON objects 100,000 deep (NDJSON)', () => P.deepNesting(100_000, 'object', 'ndjson')],
    ['JSON arrays 100,000 deep (array)', () => P.deepNesting(100_000, 'array', 'array')],
    ['XML 100,000 deep', () => P.deepXml(100_000)],
    ['billion laughs', P.xmlBillionLaughs],
    ['external entity', P.xmlExternalEntity],
    [`long line csv header ${mb} MiB`, () => P.longLine(mb, 'csv')],
    [`long line ndjson ${mb} MiB`, () => P.longLine(mb, 'ndjson')],
    [`long line xml ${mb} MiB`, () => P.longLine(mb, 'xml')],
    [`long line csv row ${mb} MiB`, () => P.longLine(mb, 'csv-row')],
  ];
  for (const [name, run] of cases) {
    res.tried++;
    const before = P.liveHeapBytes();
    const t0 = performance.now();
    try {
      const out = await run();
      const ms = Math.round(performance.now() - t0);
      const retained = P.liveHeapBytes() - before;
      const what = out.error ? `refused ${out.error.code} at line ${out.error.line ?? '-'}` : `records ${out.stats?.records} appended ${out.stats?.appended} rejected ${JSON.stringify(out.stats?.rejectedByReason)}`;
      o.log(`  ${name}: ${what}; ${ms} ms; peak heap ${mib(out.peakHeapBytes)} MiB; retained ${mib(retained)} MiB`);
      if (out.error) res.refused++;
      if (retained > 64 * 2 ** 20) res.failures.push({ target: 'pathological', seed: -1, message: `${name} retained ${mib(retained)} MiB` });
    } catch (err) {
      res.failures.push({ target: 'pathological', seed: -1, message: `${name} threw ${err instanceof Error ? err.stack : String(err)}` });
    }
  }
  return res;
}

const mib = (b: number): number => Math.round(b / 2 ** 20);

/** Replays one input of a target by its printed seed; returns a description of the input and the problems. */
export function replay(target: string, seed: number): string {
  const own = ownSeeds();
  if (target.startsWith('readers:')) {
    const name = target.slice('readers:'.length);
    const s = [...own, ...sharedSeeds(), ...forcedFormatSeeds()].find((x) => x.name === name);
    if (!s) return `no seed named ${name}`;
    const out = fuzzOneReader(s, own[seed % own.length]!, seed);
    return `input (latin1): ${JSON.stringify(Buffer.from(out.bytes).toString('latin1'))}\nproblems: ${JSON.stringify(out.problems, null, 1)}`;
  }
  if (target === 'protocol:validateRequest') {
    const m = mutateRequest(new Rand(seed));
    let verdict: string;
    try {
      verdict = JSON.stringify(validateRequest(m.channel, m.req)).slice(0, 2000);
    } catch (err) {
      verdict = `threw ${String(err)}`;
    }
    return `channel ${String(typeof m.channel === 'string' ? m.channel : typeof m.channel)} (${m.why}, expect ${m.expect}): ${verdict}`;
  }
  return `replay is implemented for readers:* and protocol:validateRequest; rerun ${target} with HOPSCOPE_FUZZ_SEED and --only`;
}
