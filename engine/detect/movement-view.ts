// Reading a detection result's movements (issue 14) for the session, the RPC answer and the exports: the builder's
// MovementResult when it ran, else empty lists, so no consumer has to know whether the builder is present.
import type { MovementResult } from './movements/types.ts';

export function emptyMovements(): MovementResult {
  return { movements: [], paths: [], episodes: [], findingSources: {} };
}

/** The movements of a detection result (any object that may carry `movements`), never undefined. */
export function movementsOf(res: object | null | undefined): MovementResult {
  const m = (res as { movements?: Partial<MovementResult> } | null | undefined)?.movements;
  if (!m || typeof m !== 'object') return emptyMovements();
  return {
    movements: Array.isArray(m.movements) ? m.movements : [],
    paths: Array.isArray(m.paths) ? m.paths : [],
    episodes: Array.isArray(m.episodes) ? m.episodes : [],
    findingSources: m.findingSources && typeof m.findingSources === 'object' ? m.findingSources : {},
  };
}
