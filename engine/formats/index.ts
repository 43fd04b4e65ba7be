// Registry of format mappers and content-based detection (header row, JSON keys, root element).
// Invariant: detection is deterministic (registry order breaks ties) and always gives a human-readable reason.

import type { DetectSample, FormatId, FormatMapper, GenericMapping } from './types.ts';
import { evtxecmdMapper, evtxJsonMapper, windowsFlatMapper, windowsXmlMapper } from './windows.ts';
import { cimMapper } from './cim.ts';
import { ecsMapper } from './ecs.ts';
import { crowdstrikeMapper } from './crowdstrike.ts';
import { defenderMapper } from './defender.ts';
import { createGenericMapper } from './generic.ts';
import { wineventCsvMapper } from './winevent-csv.ts';

export const MAPPERS: readonly FormatMapper[] = [
  windowsXmlMapper,
  evtxJsonMapper,
  evtxecmdMapper,
  wineventCsvMapper,
  crowdstrikeMapper,
  defenderMapper,
  ecsMapper,
  windowsFlatMapper,
  cimMapper,
];

/** Below this score a known format is not trusted and the file opens as `generic`. */
export const MIN_DETECT_SCORE = 30;

export interface DetectedFormat {
  mapper: FormatMapper | null;
  format: FormatId;
  reason: string;
}

export function detectFormat(sample: DetectSample): DetectedFormat {
  let best: FormatMapper | null = null;
  let bestScore = 0;
  let bestReason = '';
  for (const m of MAPPERS) {
    const d = m.detect(sample);
    if (d.score > bestScore) {
      best = m;
      bestScore = d.score;
      bestReason = d.reason;
    }
  }
  if (best && bestScore >= MIN_DETECT_SCORE) return { mapper: best, format: best.id, reason: `${best.label}: ${bestReason}` };
  return { mapper: null, format: 'generic', reason: 'no known format matched the columns' };
}

export function mapperFor(format: FormatId, mapping?: GenericMapping): FormatMapper | null {
  if (format === 'generic') return mapping ? createGenericMapper(mapping) : null;
  return MAPPERS.find((m) => m.id === format) ?? null;
}

export { createGenericMapper };
