// The words the movements view, the finding cards and the tests use for a movement (issue 14). Plain strings: they
// are rendered as text nodes (never HTML), and log-derived parts are neutralised by LogText where shown.
import type { Movement, MovementResult } from '../../engine/detect/movements/types.ts';
import { formatTime } from '../format.ts';

/** The movements of an answer that may predate them (older hosts, tests): never undefined. */
export function movementsOr(res: { movements?: MovementResult } | null | undefined): MovementResult {
  const m = res?.movements;
  return {
    movements: Array.isArray(m?.movements) ? m.movements : [],
    paths: Array.isArray(m?.paths) ? m.paths : [],
    episodes: Array.isArray(m?.episodes) ? m.episodes : [],
    findingSources: m?.findingSources && typeof m.findingSources === 'object' ? m.findingSources : {},
  };
}

/** Finding id -> the movement MovementResult.findingSources names for it. */
export function findingAttribution(res: MovementResult | undefined): Map<string, Movement> {
  const out = new Map<string, Movement>();
  if (!res) return out;
  const mv = movementsOr({ movements: res });
  const byId = new Map(mv.movements.map((m) => [m.id, m]));
  for (const [fid, mid] of Object.entries(mv.findingSources)) {
    const m = byId.get(mid);
    if (m) out.set(fid, m);
  }
  return out;
}

/** `SRC (ip)`, the IP alone, or `unknown source`. */
export function sourceText(m: Movement): string {
  if (m.source && m.sourceIp) return `${m.source} (${m.sourceIp})`;
  return m.source ?? m.sourceIp ?? 'unknown source';
}

/** `SRC (ip) -> TARGET as ACCOUNT by METHOD, first..last, N steps, missing: ...` */
export function movementLine(m: Movement): string {
  const span = m.lastMs > m.firstMs ? `${formatTime(m.firstMs)}..${formatTime(m.lastMs)}` : formatTime(m.firstMs);
  const steps = `${m.steps.length} ${m.steps.length === 1 ? 'step' : 'steps'}`;
  const missing = m.missing.length > 0 ? `, missing: ${m.missing.join(', ')}` : '';
  return `${sourceText(m)} -> ${m.target} as ${m.account ?? 'unknown account'} by ${m.method}, ${span}, ${steps}${missing}`;
}
