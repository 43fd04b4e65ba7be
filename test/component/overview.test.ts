// Overview strip: one request over the whole case, a drag inside the brush pans the view, a drag elsewhere
// draws a new visible range.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import Overview from '../../renderer/timeline/Overview.svelte';
import { TimelineView } from '../../renderer/state/timeline-view.svelte.ts';
import { BASE_MS, FakeApi } from './fake-api.ts';

beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
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
  render(Overview, { api, view, version: 1, onerror: vi.fn() });
  // jsdom has no layout: the strip keeps its 800 px default width, at x = 0.
  return { api, view, strip: screen.getByRole('slider', { name: /Case overview/ }) };
}

describe('Overview', () => {
  it('asks once for the whole case extent', async () => {
    const { api } = setup();
    await waitFor(() => expect(api.callsTo('query.timeline')).toHaveLength(1));
    expect(api.callsTo('query.timeline')[0]).toMatchObject({ startMs: BASE_MS, endMs: BASE_MS + 3_600_000 });
  });

  it('dragging outside the brush selects that range; dragging the brush pans it', async () => {
    const { view, strip } = setup();
    view.setRange(BASE_MS, BASE_MS + 360_000); // brush over x 0..80
    await fireEvent.pointerDown(strip, { button: 0, clientX: 400, pointerId: 1 });
    await fireEvent.pointerMove(strip, { clientX: 600, pointerId: 1 });
    await fireEvent.pointerUp(strip, { clientX: 600, pointerId: 1 });
    expect(view.startMs).toBe(BASE_MS + 1_800_000);
    expect(view.endMs).toBe(BASE_MS + 2_700_000);

    await fireEvent.pointerDown(strip, { button: 0, clientX: 500, pointerId: 2 });
    await fireEvent.pointerMove(strip, { clientX: 300, pointerId: 2 });
    await fireEvent.pointerUp(strip, { clientX: 300, pointerId: 2 });
    expect(view.startMs).toBe(BASE_MS + 900_000);
    expect(view.spanMs).toBe(900_000);
  });
});
