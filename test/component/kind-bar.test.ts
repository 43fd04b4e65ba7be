// Kind bar (issue 13): the timeline and table show process creations and lateral-movement kinds by default, the rest
// one click away; each toggle shows its events; the choice goes out as `kinds` on both queries, is saved in the case
// view and restored on reopen; a case whose host says nothing of kinds has no bar and sends no kinds.
import { beforeAll, describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../../renderer/App.svelte';
import { DEFAULT_LANE_KINDS, EVENT_KINDS as ENGINE_KINDS } from '../../engine/model/event-kinds.ts';
import { DEFAULT_KINDS, EVENT_KINDS, defaultKinds, kindCounts } from '../../renderer/state/kinds.ts';
import { parseSavedView } from '../../renderer/state/saved-view.ts';
import { FakeApi } from './fake-api.ts';

beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});

const BY_KIND = { process_creation: 600, logon: 200, share_access: 50, file: 100, registry: 50 };
const DEFAULTS = EVENT_KINDS.filter((k) => DEFAULT_KINDS.includes(k));

async function openCase(api: FakeApi): Promise<HTMLElement> {
  render(App, { api, mode: 'browser' });
  await userEvent.click(await screen.findByRole('button', { name: /Open bundled sample/ }));
  api.emit({ type: 'case-ready', summary: api.summary() });
  return screen.findByRole('grid', { name: 'Events' });
}

const bar = () => screen.findByRole('group', { name: 'Event kinds shown in the timeline and table' });

describe('kind bar', () => {
  it('is the engine\'s names and defaults', () => {
    expect([...EVENT_KINDS]).toEqual([...ENGINE_KINDS]);
    expect([...DEFAULT_KINDS]).toEqual([...DEFAULT_LANE_KINDS]);
  });

  it('a new case shows the default kinds with their counts; the rest are one click away; both queries carry kinds', async () => {
    const api = new FakeApi({ totalRows: 1000, eventsByKind: BY_KIND });
    const grid = await openCase(api);
    const group = await bar();
    const pc = within(group).getByRole('button', { name: /^process creation 600$/ });
    expect(pc).toHaveAttribute('aria-pressed', 'true');
    expect(within(group).getByRole('button', { name: /^logon 200$/ })).toHaveAttribute('aria-pressed', 'true');
    expect(within(group).getByRole('button', { name: /^share access 50$/ })).toHaveAttribute('aria-pressed', 'true');
    // Only kinds the case holds are listed; the hidden ones sit behind one button with their events.
    expect(within(group).queryByRole('button', { name: /winrm/ })).toBeNull();
    expect(within(group).queryByRole('button', { name: /^file/ })).toBeNull();
    const more = within(group).getByRole('button', { name: '+ 2 more kinds: 150 events' });
    expect(group).toHaveTextContent('850 of 1,000 events');
    await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', '851'));
    expect(api.callsTo('query.rows').at(-1)?.kinds).toEqual(DEFAULTS);
    await waitFor(() => expect(api.callsTo('query.timeline').at(-1)?.kinds).toEqual(DEFAULTS));

    // One click shows them: every kind now has its toggle, the table lists every event.
    await userEvent.click(more);
    await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', '1001'));
    const withAll = [...DEFAULTS, 'file', 'registry'].sort((a, b) => EVENT_KINDS.indexOf(a as never) - EVENT_KINDS.indexOf(b as never));
    expect(api.callsTo('query.rows').at(-1)?.kinds).toEqual(withAll);
    await waitFor(() => expect(api.callsTo('query.timeline').at(-1)?.kinds).toEqual(withAll));
    expect(within(group).getByRole('button', { name: /^file 100$/ })).toHaveAttribute('aria-pressed', 'true');
    expect(within(group).getByRole('button', { name: /^registry 50$/ })).toHaveAttribute('aria-pressed', 'true');
    expect(within(group).queryByRole('button', { name: /more kinds/ })).toBeNull();

    // Keyboard: a toggle is a button (Space hides logon), and "Default kinds" goes back.
    within(group).getByRole('button', { name: /^logon 200$/ }).focus();
    await userEvent.keyboard(' ');
    expect(within(group).getByRole('button', { name: /^logon 200$/ })).toHaveAttribute('aria-pressed', 'false');
    await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', '801'));
    expect(api.callsTo('query.rows').at(-1)?.kinds).not.toContain('logon');
    await userEvent.click(within(group).getByRole('button', { name: 'Default kinds' }));
    await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', '851'));
    expect(api.callsTo('query.rows').at(-1)?.kinds).toEqual(DEFAULTS);
    expect(within(group).queryByRole('button', { name: 'Default kinds' })).toBeNull();
  });

  it('the choice is saved in the case view and restored when the case reopens', async () => {
    const api = new FakeApi({ totalRows: 1000, eventsByKind: BY_KIND });
    await openCase(api);
    const group = await bar();
    await userEvent.click(within(group).getByRole('button', { name: /^process creation 600$/ }));
    await waitFor(() => expect(parseSavedView(api.savedView)?.kinds).toEqual(DEFAULTS.filter((k) => k !== 'process_creation')), { timeout: 3000 });
    const last = api.callsTo('query.rows').at(-1);
    expect(last?.kinds).not.toContain('process_creation');

    // Reopened: the case's saved view brings the choice back.
    const again = new FakeApi({ totalRows: 1000, eventsByKind: BY_KIND });
    again.savedView = { v: 1, kinds: ['file', 'logon', 'nonsense'] };
    document.body.innerHTML = '';
    const grid = await openCase(again);
    await waitFor(() => expect(again.callsTo('query.rows').at(-1)?.kinds).toEqual(['logon', 'file']));
    await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', '301'));
    const g2 = await bar();
    expect(within(g2).getByRole('button', { name: /^file 100$/ })).toHaveAttribute('aria-pressed', 'true');
    expect(within(g2).getByRole('button', { name: /^process creation 600$/ })).toHaveAttribute('aria-pressed', 'false');
    await waitFor(() => expect(again.callsTo('query.timeline').at(-1)?.kinds).toEqual(['logon', 'file']));
  });

  it('a host that says nothing of kinds: no bar, no kinds in the queries', async () => {
    const api = new FakeApi({ totalRows: 1000 });
    const grid = await openCase(api);
    await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', '1001'));
    expect(screen.queryByRole('group', { name: /Event kinds/ })).toBeNull();
    expect(api.callsTo('query.rows').every((r) => r.kinds === undefined)).toBe(true);
    expect(api.callsTo('query.timeline').every((r) => r.kinds === undefined)).toBe(true);
  });

  it('a case holding none of the default kinds starts with every kind shown', () => {
    const counts = kindCounts({ evidence: [{ eventsByKind: { registry: 5, file: 2 } }, { eventsByKind: { registry: 1 } }] as never });
    expect(counts).toEqual([
      { kind: 'file', events: 2 },
      { kind: 'registry', events: 6 },
    ]);
    expect(defaultKinds(counts)).toEqual([...EVENT_KINDS]);
    expect(defaultKinds(kindCounts({ evidence: [{ eventsByKind: { logon: 1, file: 2 } }] as never }))).toEqual(DEFAULTS);
    expect(kindCounts({ evidence: [{}] as never })).toBeNull();
  });
});
