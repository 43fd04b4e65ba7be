// Timeline: host lanes as an accessible list, requests at screen resolution, keyboard zoom/pan through the
// view state, and a click on a bucket reports its time range and host.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import Timeline from '../../renderer/timeline/Timeline.svelte';
import { TimelineView } from '../../renderer/state/timeline-view.svelte.ts';
import { laneOrder } from '../../renderer/timeline/lane-order.ts';
import { BASE_MS, FakeApi, HOSTS } from './fake-api.ts';

beforeAll(() => {
  // jsdom has no canvas backend; drawing is skipped when there is no context.
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
  // jsdom lacks PointerEvent; a MouseEvent with a pointerId is what the handlers read.
  if (typeof window.PointerEvent === 'undefined') {
    class PointerEventShim extends MouseEvent {
      readonly pointerId: number;
      constructor(type: string, init: PointerEventInit = {}) {
        super(type, init);
        this.pointerId = init.pointerId ?? 0;
      }
    }
    (window as unknown as { PointerEvent: unknown }).PointerEvent = PointerEventShim;
  }
});

function setup() {
  const api = new FakeApi({ totalRows: 3600 });
  const view = new TimelineView();
  view.setExtent(BASE_MS, BASE_MS + 3_599_000);
  const onbucket = vi.fn();
  render(Timeline, { api, view, lanes: laneOrder(HOSTS), version: 1, onbucket, onerror: vi.fn() });
  return { api, view, onbucket };
}

describe('Timeline', () => {
  it('shows one labelled lane per host and asks for buckets at screen resolution', async () => {
    const { api } = setup();
    const list = screen.getByRole('list', { name: 'Hosts' });
    await waitFor(() => expect(api.callsTo('query.timeline')).toHaveLength(1));
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.host')?.textContent)).toEqual(HOSTS);
    const req = api.callsTo('query.timeline')[0]!;
    expect(req).toEqual({ startMs: BASE_MS, endMs: BASE_MS + 3_600_000, buckets: 400 });
    expect(screen.getByText('UTC')).toBeInTheDocument();
  });

  it('keyboard + zooms in, arrows pan, and each change refetches', async () => {
    const { api, view } = setup();
    const plot = screen.getByRole('application', { name: /Timeline plot/ });
    await waitFor(() => expect(api.callsTo('query.timeline')).toHaveLength(1));
    await fireEvent.keyDown(plot, { key: '+' });
    expect(view.spanMs).toBe(1_800_000);
    await waitFor(() => expect(api.callsTo('query.timeline').at(-1)).toMatchObject({ endMs: view.endMs, startMs: view.startMs }));
    const start = view.startMs;
    await fireEvent.keyDown(plot, { key: 'ArrowRight' });
    expect(view.startMs).toBe(start + 180_000);
    await fireEvent.keyDown(plot, { key: '-' });
    expect(view.spanMs).toBe(3_600_000);
  });

  it('clicking a bucket reports its time range and host lane', async () => {
    const { onbucket, view } = setup();
    await screen.findByText(/9 s buckets/);
    const canvas = screen.getByTestId('timeline-canvas');
    const plot = screen.getByRole('application', { name: /Timeline plot/ });
    // Fallback width 800 px over one hour: x=400 is 30 minutes in; y=30 is the second lane (28 px lanes).
    await fireEvent.pointerDown(plot, { clientX: 400, clientY: 30, button: 0, pointerId: 1 });
    await fireEvent.pointerUp(canvas, { clientX: 400, clientY: 30, button: 0, pointerId: 1 });
    expect(onbucket).toHaveBeenCalledTimes(1);
    const [range, host] = onbucket.mock.calls[0]!;
    expect(host).toBe(HOSTS[1]);
    expect(range.endMs - range.startMs).toBe(9000);
    expect(range.startMs).toBeLessThanOrEqual(BASE_MS + 1_800_000);
    expect(range.endMs).toBeGreaterThan(BASE_MS + 1_800_000);
    expect(view.selection).toEqual(range);
  });

  it('Shift+drag brushes a time range and reports it without a host', async () => {
    const { onbucket, view } = setup();
    await screen.findByText(/9 s buckets/);
    const plot = screen.getByRole('application', { name: /Timeline plot/ });
    await fireEvent.pointerDown(plot, { clientX: 200, clientY: 10, button: 0, pointerId: 2, shiftKey: true });
    await fireEvent.pointerMove(plot, { clientX: 400, clientY: 10, pointerId: 2, shiftKey: true });
    await fireEvent.pointerUp(plot, { clientX: 400, clientY: 10, button: 0, pointerId: 2, shiftKey: true });
    // 800 px over one hour: 200..400 px is 15..30 minutes in; the view itself did not move.
    expect(onbucket).toHaveBeenCalledWith({ startMs: BASE_MS + 900_000, endMs: BASE_MS + 1_800_000 }, null);
    expect(view.startMs).toBe(BASE_MS);
    expect(view.selection).toEqual({ startMs: BASE_MS + 900_000, endMs: BASE_MS + 1_800_000 });
  });

  it('hovering a bucket shows its host, time and counts as a tooltip', async () => {
    setup();
    await screen.findByText(/9 s buckets/);
    const plot = screen.getByRole('application', { name: /Timeline plot/ });
    // Lane 0 (DC01) at 30 minutes: the fake counts ((b + 0) % 5) + 3 for bucket 200 -> 3.
    await fireEvent.pointerMove(plot, { clientX: 400, clientY: 5, pointerId: 4 });
    const tip = screen.getByRole('tooltip');
    expect(tip).toHaveTextContent('DC01');
    expect(tip).toHaveTextContent('2024-03-05 14:30:00 – 2024-03-05 14:30:09 UTC · 9 s');
    expect(tip).toHaveTextContent('3 events');
    await fireEvent.pointerLeave(plot);
    expect(screen.queryByRole('tooltip')).toBeNull();
  });

  it('after a wheel zoom the tooltip describes the bucket under the pointer at the new zoom', async () => {
    const { api } = setup();
    await screen.findByText(/9 s buckets/);
    const plot = screen.getByRole('application', { name: /Timeline plot/ });
    await fireEvent.pointerMove(plot, { clientX: 400, clientY: 5, pointerId: 4 });
    expect(screen.getByRole('tooltip')).toHaveTextContent('· 9 s');
    const asked = api.callsTo('query.timeline').length;
    // The wheel zooms in about the pointer; the pointer itself does not move.
    await fireEvent.wheel(plot, { deltaY: -800, clientX: 400, clientY: 5 });
    await waitFor(() => expect(api.callsTo('query.timeline').length).toBeGreaterThan(asked));
    const label = await screen.findByText(/· (\d+) s buckets/);
    const size = /· (\d+) s buckets/.exec(label.textContent ?? '')![1]!;
    expect(size).not.toBe('9');
    await waitFor(() => expect(screen.getByRole('tooltip')).toHaveTextContent(new RegExp(`· ${size} s \\d+ events`)));
    expect(screen.getByRole('tooltip')).not.toHaveTextContent('· 9 s');
  });

  it('the deepest zoom asks for sub-second buckets and labels them in ms, times with milliseconds', async () => {
    const { api, view } = setup();
    await screen.findByText(/9 s buckets/);
    for (let i = 0; i < 30; i++) view.zoom(0.5, 0.5);
    await waitFor(() => expect(api.callsTo('query.timeline').at(-1)!.endMs - api.callsTo('query.timeline').at(-1)!.startMs).toBeLessThan(1000));
    const req = api.callsTo('query.timeline').at(-1)!;
    expect((req.endMs - req.startMs) / req.buckets).toBe(1);
    expect(await screen.findByText(/· 1 ms buckets/)).toHaveTextContent(/\d\d:\d\d:\d\d\.\d{3} – /);
    const plot = screen.getByRole('application', { name: /Timeline plot/ });
    await fireEvent.pointerMove(plot, { clientX: 400, clientY: 5, pointerId: 4 });
    expect(screen.getByRole('tooltip')).toHaveTextContent(/\d\d:\d\d:\d\d\.\d{3} – \S+ \d\d:\d\d:\d\d\.\d{3} UTC · 1 ms/);
  });

  it('plain drag pans the view', async () => {
    const { view } = setup();
    const plot = screen.getByRole('application', { name: /Timeline plot/ });
    view.zoom(0.5, 0.5);
    const start = view.startMs;
    await fireEvent.pointerDown(plot, { clientX: 400, clientY: 10, button: 0, pointerId: 3 });
    await fireEvent.pointerMove(plot, { clientX: 200, clientY: 10, pointerId: 3 });
    await fireEvent.pointerUp(plot, { clientX: 200, clientY: 10, button: 0, pointerId: 3 });
    // 200 px of 800 px over a 30-minute span moves the view 7.5 minutes later.
    expect(view.startMs).toBe(start + 450_000);
  });

  it('passes the table filter to the density query', async () => {
    const api = new FakeApi({ totalRows: 3600 });
    const view = new TimelineView();
    view.setExtent(BASE_MS, BASE_MS + 3_599_000);
    render(Timeline, { api, view, lanes: laneOrder(HOSTS), version: 1, filter: ' process_name:psexec.exe ', onbucket: vi.fn(), onerror: vi.fn() });
    await waitFor(() => expect(api.callsTo('query.timeline').at(-1)?.filter).toBe('process_name:psexec.exe'));
    expect(screen.getByText(/· filtered$/)).toBeInTheDocument();
  });

  it('with many hosts requests only the lanes on screen, following the scroll', async () => {
    const api = new FakeApi({ totalRows: 3600 });
    const view = new TimelineView();
    view.setExtent(BASE_MS, BASE_MS + 3_599_000);
    const many = Array.from({ length: 500 }, (_, i) => `WKS-${String(i).padStart(4, '0')}`);
    render(Timeline, { api, view, lanes: laneOrder(many), version: 1, onbucket: vi.fn(), onerror: vi.fn() });
    expect(within(screen.getByRole('list', { name: 'Hosts' })).getAllByRole('listitem')).toHaveLength(500);
    await waitFor(() => expect(api.callsTo('query.timeline')).toHaveLength(1));
    const first = api.callsTo('query.timeline')[0]!.hosts!;
    expect(first[0]).toBe('WKS-0000');
    expect(first.length).toBeLessThan(40);
    const scroller = screen.getByRole('list', { name: 'Hosts' }).parentElement!;
    scroller.scrollTop = 200 * 28;
    await fireEvent.scroll(scroller);
    await waitFor(() => expect(api.callsTo('query.timeline').at(-1)!.hosts).toContain('WKS-0200'));
    const last = api.callsTo('query.timeline').at(-1)!.hosts!;
    expect(last).not.toContain('WKS-0000');
    expect(last.length).toBeLessThan(40);
  });
});

describe('Timeline lanes control', () => {
  it('reorders lanes by name or first activity and marks the chain hosts', async () => {
    const api = new FakeApi({ totalRows: 3600 });
    const view = new TimelineView();
    view.setExtent(BASE_MS, BASE_MS + 3_599_000);
    const lanes = HOSTS.map((host, i) => ({ host, riskScore: i === HOSTS.length - 1 ? 90 : 0, firstMs: BASE_MS + (HOSTS.length - i) * 1000 }));
    const chain = new Set([HOSTS[0]!.toLowerCase()]);
    render(Timeline, { api, view, lanes, version: 1, chain, onbucket: vi.fn(), onerror: vi.fn() });
    const names = (): string[] => within(screen.getByRole('list', { name: 'Hosts' })).getAllByRole('listitem').map((li) => li.querySelector('.host')?.textContent ?? '');
    expect(names()[0]).toBe(HOSTS[HOSTS.length - 1]);
    await fireEvent.change(screen.getByRole('combobox', { name: 'Sort lanes by' }), { target: { value: 'name' } });
    expect(names()).toEqual([...HOSTS].sort());
    await fireEvent.change(screen.getByRole('combobox', { name: 'Sort lanes by' }), { target: { value: 'first' } });
    expect(names()).toEqual([...HOSTS].reverse());
    expect(screen.getByText('on the selected lateral-movement chain').closest('li')?.querySelector('.host')?.textContent).toBe(HOSTS[0]);
  });
});

describe('Timeline zone', () => {
  it('labels the axis with its zone and switches it from the axis (saved as the display zone setting)', async () => {
    const { displayZone } = await import('../../renderer/state/display-zone.svelte.ts');
    displayZone.set('Asia/Tokyo');
    try {
      const api = new FakeApi({ totalRows: 3600 });
      const view = new TimelineView();
      view.setExtent(BASE_MS, BASE_MS + 3_599_000);
      render(Timeline, { api, view, lanes: laneOrder(HOSTS), version: 1, onbucket: vi.fn(), onerror: vi.fn() });
      const pick = screen.getByRole('combobox', { name: 'Time zone of the axis' });
      expect(pick).toHaveValue('Asia/Tokyo');
      const range = document.querySelector('.range')!;
      expect(range.textContent).toMatch(/^2024-03-05 23:00:00 – 2024-03-06 00:00:00 Asia\/Tokyo · 60 min/);
      await fireEvent.change(pick, { target: { value: 'UTC' } });
      expect(displayZone.zone).toBe('UTC');
      await waitFor(() => expect(api.callsTo('settings.set').at(-1)).toEqual({ timeZone: 'UTC' }));
      expect(range.textContent).toMatch(/^2024-03-05 14:00:00 – 2024-03-05 15:00:00 UTC · 60 min/);
    } finally {
      displayZone.set('UTC');
    }
  });
});
