// Movement arcs on the timeline canvas (issue 14): a legend names each method's colour with its arc count; the arc
// is stroked in its method's colour from the source lane at the source-side time to the target lane at the target
// side's; a source-only source has its lane (marked so) and its arc starts there.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import Timeline from '../../../renderer/timeline/Timeline.svelte';
import { TimelineView } from '../../../renderer/state/timeline-view.svelte.ts';
import { laneOrder } from '../../../renderer/timeline/lane-order.ts';
import { LANE_PX } from '../../../renderer/timeline/draw-timeline.ts';
import { METHOD_COLOURS } from '../../../renderer/movements/movement-arcs.ts';
import { BASE_MS, FakeApi, HOSTS, LINKS } from '../fake-api.ts';
import { PSEXEC, movement, step } from './fixtures.ts';

/** Every call and property set on the lanes canvas's context, numbers rounded. */
const ops: string[] = [];
const original = HTMLCanvasElement.prototype.getContext;
beforeAll(() => {
  const ctx = new Proxy(
    {},
    {
      get: (_t, prop) => {
        if (prop === 'measureText') return () => ({ width: 10 });
        if (typeof prop !== 'string' || prop === 'then') return undefined;
        return (...args: unknown[]) => ops.push(`${prop}(${args.map((a) => (typeof a === 'number' ? Math.round(a) : a)).join(',')})`);
      },
      set: (_t, prop, v) => (ops.push(`${String(prop)}=${String(v)}`), true),
    },
  );
  HTMLCanvasElement.prototype.getContext = function (this: HTMLCanvasElement) {
    return this.dataset['testid'] === 'timeline-canvas' ? ctx : null;
  } as unknown as HTMLCanvasElement['getContext'];
});
afterAll(() => {
  HTMLCanvasElement.prototype.getContext = original;
});

const WIDTH = 800;
const SPAN = 3_600_000;
const px = (t: number) => Math.round(((t - BASE_MS) / SPAN) * WIDTH);

/** The arcs stroked in `colour`: each moveTo + bezierCurveTo pair since the last beginPath before that stroke. */
function arcsIn(colour: string): Array<{ from: [number, number]; to: [number, number] }> {
  const out: Array<{ from: [number, number]; to: [number, number] }> = [];
  const at = ops.lastIndexOf(`strokeStyle=${colour}`);
  if (at < 0) return out;
  const begin = ops.lastIndexOf('beginPath()', at);
  let from: [number, number] | null = null;
  for (const op of ops.slice(begin, at)) {
    const m = /^moveTo\((-?\d+),(-?\d+)\)$/.exec(op);
    if (m) from = [Number(m[1]), Number(m[2])];
    const b = /^bezierCurveTo\(.*,(-?\d+),(-?\d+)\)$/.exec(op);
    if (b && from) out.push({ from, to: [Number(b[1]), Number(b[2])] });
  }
  return out;
}

function setup(props: Record<string, unknown>) {
  ops.length = 0;
  const api = new FakeApi({ totalRows: 3600 });
  const view = new TimelineView();
  view.setExtent(BASE_MS, BASE_MS + SPAN - 1000);
  render(Timeline, { api, view, version: 1, onbucket: vi.fn(), onerror: vi.fn(), ...props });
  return { api, view };
}

const laneY = (host: string): number => {
  const items = within(screen.getByRole('list', { name: 'Hosts' })).getAllByRole('listitem');
  const i = items.findIndex((li) => li.querySelector('.host')?.textContent === host);
  expect(i, `${host} has a lane`).toBeGreaterThanOrEqual(0);
  return Math.round(i * LANE_PX + LANE_PX / 2);
};

describe('Timeline movement arcs', () => {
  it('draws the movement in its method colour from the source lane to the target lane, with a legend', async () => {
    const wmi = { ...LINKS[0]!, id: 'l-wmi', kind: 'wmic-node', fromHost: 'WKS-NYC-1002', toHost: 'SRV-FILE-01', fromTimeMs: BASE_MS + 600_000, toTimeMs: BASE_MS + 601_000 };
    setup({ lanes: laneOrder(HOSTS), links: [...LINKS, wmi], movements: [PSEXEC] });
    const legend = screen.getByRole('list', { name: 'Arc colours by method' });
    // LINKS' l1 is part of the movement: drawn once, as the movement.
    expect(within(legend).getAllByRole('listitem').map((li) => li.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['PsExec (1)', 'WMI (1)']);
    const swatches = [...legend.querySelectorAll<HTMLElement>('.swatch')].map((s) => s.style.background);
    expect(swatches).toEqual(['rgb(214, 39, 40)', 'rgb(123, 79, 209)']);
    await waitFor(() => expect(arcsIn(METHOD_COLOURS.psexec)).toHaveLength(1));
    expect(arcsIn(METHOD_COLOURS.psexec)[0]).toEqual({ from: [px(BASE_MS + 42_000), laneY('WKS-NYC-1001')], to: [px(BASE_MS + 44_000), laneY('DC01')] });
    expect(arcsIn(METHOD_COLOURS.wmi)[0]).toEqual({ from: [px(BASE_MS + 600_000), laneY('WKS-NYC-1002')], to: [px(BASE_MS + 601_000), laneY('SRV-FILE-01')] });
    // The end dot is filled in the method's colour too, never the default link colour alone.
    expect(ops).toContain(`fillStyle=${METHOD_COLOURS.psexec}`);
  });

  it('a source-only source has a lane marked so, and its arc starts there', async () => {
    const ghost = movement({
      id: 'mv-ghost',
      source: 'GHOST-07',
      sourceOnly: true,
      seenFrom: 'target',
      linkIds: [],
      method: 'rdp',
      firstMs: BASE_MS + 900_000,
      lastMs: BASE_MS + 901_000,
      steps: [step('WKS-NYC-1002', BASE_MS + 900_000, 'logon', 900)],
      target: 'WKS-NYC-1002',
    });
    setup({ lanes: [...laneOrder(HOSTS), { host: 'GHOST-07', riskScore: 0 }], sourceOnly: new Set(['GHOST-07']), movements: [ghost] });
    const lanes = within(screen.getByRole('list', { name: 'Hosts' })).getAllByRole('listitem');
    const lane = lanes.find((li) => li.querySelector('.host')?.textContent === 'GHOST-07')!;
    expect(within(lane).getByText('source only')).toBeInTheDocument();
    expect(lanes.filter((li) => li.textContent?.includes('source only'))).toHaveLength(1);
    await waitFor(() => expect(arcsIn(METHOD_COLOURS.rdp)).toHaveLength(1));
    expect(arcsIn(METHOD_COLOURS.rdp)[0]).toEqual({ from: [px(BASE_MS + 900_000), laneY('GHOST-07')], to: [px(BASE_MS + 900_000), laneY('WKS-NYC-1002')] });
  });

  it('no links and no movements: no legend', () => {
    setup({ lanes: laneOrder(HOSTS) });
    expect(screen.queryByRole('list', { name: 'Arc colours by method' })).toBeNull();
  });
});
