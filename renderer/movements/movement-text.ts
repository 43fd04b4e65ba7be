// The words the movements view, the finding cards and the tests use for a movement (issue 14). Plain strings: they
// are rendered as text nodes (never HTML), and log-derived parts are neutralised by LogText where shown.
import type { Movement, MovementPath, MovementResult } from '../../engine/detect/movements/types.ts';
import { formatTime } from '../format.ts';
import { METHOD_LABELS } from './movement-arcs.ts';

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

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Movements in the contract's order (first time, then target, then id), whatever order they came in. */
export function inTimeOrder(movements: readonly Movement[]): Movement[] {
  return [...movements].sort((a, b) => a.firstMs - b.firstMs || cmp(a.target, b.target) || cmp(a.id, b.id));
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
export function sourceText(m: Pick<Movement, 'source' | 'sourceIp'>): string {
  if (m.source && m.sourceIp) return `${m.source} (${m.sourceIp})`;
  return m.source || m.sourceIp || 'unknown source';
}

/** What a finding card says of where it came from: `from SRC (ip) as ACCOUNT`, the account left out when unknown. */
export function attributionText(m: Pick<Movement, 'source' | 'sourceIp' | 'account'>): string {
  return `from ${sourceText(m)}${m.account ? ` as ${m.account}` : ''}`;
}

/** `SRC (ip) -> TARGET as ACCOUNT by METHOD, first..last, N steps, missing: ...` */
export function movementLine(m: Movement): string {
  const span = m.lastMs > m.firstMs ? `${formatTime(m.firstMs)}..${formatTime(m.lastMs)}` : formatTime(m.firstMs);
  const steps = `${m.steps.length} ${m.steps.length === 1 ? 'step' : 'steps'}`;
  const missing = m.missing.length > 0 ? `, missing: ${m.missing.join(', ')}` : '';
  const method = METHOD_LABELS[m.method] ?? m.method;
  return `${sourceText(m)} -> ${m.target} as ${m.account || 'unknown account'} by ${method}, ${span}, ${steps}${missing}`;
}

/** `A -> B -> C as CORP\alice, CORP\admin, first..last` (accounts in order, `unknown account` where none). */
export function pathLine(p: MovementPath): string {
  const span = p.lastMs > p.firstMs ? `${formatTime(p.firstMs)}..${formatTime(p.lastMs)}` : formatTime(p.firstMs);
  const accounts = p.accounts.length > 0 ? ` as ${p.accounts.map((a) => a || 'unknown account').join(', ')}` : '';
  return `${p.hosts.join(' -> ')}${accounts}, ${span}`;
}
