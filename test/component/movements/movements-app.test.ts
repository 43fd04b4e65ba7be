// Movements in the case view (issue 14): the view lists the case's movements; a click scopes the table to the
// movement's hosts and span (query.rows) and focuses the timeline; a finding card attributed by findingSources says
// where it came from; the timeline has a legend for the arcs and a lane for a source-only host; an empty answer has
// a view that says so.
import { beforeAll, describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../../../renderer/App.svelte';
import FindingsPanel from '../../../renderer/panels/FindingsPanel.svelte';
import type { MovementResult } from '../../../engine/detect/movements/types.ts';
import { FakeApi, FINDINGS, HOSTS, MOVEMENTS } from '../fake-api.ts';
import { HOSTILE, PSEXEC, movement, threeMovements } from './fixtures.ts';

beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});

const PSEXEC_FINDING = FINDINGS.find((f) => f.ruleId === 'psexec-accepteula')!;

async function openCase(movements?: MovementResult): Promise<FakeApi> {
  const api = new FakeApi({ totalRows: 5000, ...(movements ? { movements } : {}) });
  render(App, { api, mode: 'browser' });
  await userEvent.click(await screen.findByRole('button', { name: /Open bundled sample/ }));
  api.emit({ type: 'case-ready', summary: api.summary() });
  await screen.findByRole('grid', { name: 'Events' });
  return api;
}

describe('movements in the case view', () => {
  it('a movement chosen in the view scopes the table to its hosts and span and focuses the timeline on it', async () => {
    const api = await openCase(threeMovements());
    const toggle = await screen.findByRole('button', { name: 'Movements (3)' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await userEvent.click(toggle);
    const list = screen.getByRole('list', { name: 'Movements in time order' });
    const items = within(list).getAllByRole('button');
    expect(items).toHaveLength(3);
    await userEvent.click(items[1]!); // the PsExec WKS-NYC-1001 -> DC01
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)).toMatchObject({ startMs: PSEXEC.firstMs, endMs: PSEXEC.lastMs + 1000 }));
    const req = api.callsTo('query.rows').at(-1)!;
    expect([...req.hosts!].sort()).toEqual(['DC01', 'WKS-NYC-1001']);
    expect(req.findingId).toBeUndefined();
    expect(items[1]).toHaveAttribute('aria-pressed', 'true');
    const tl = api.callsTo('query.timeline').at(-1)!;
    expect(tl.startMs).toBeLessThanOrEqual(PSEXEC.firstMs);
    expect(tl.endMs).toBeGreaterThanOrEqual(PSEXEC.lastMs);
    expect(tl.endMs - tl.startMs).toBeLessThan(60_000);
  });

  it('a source-only source is not asked of the table (it has no events) but gets a lane marked so, and arcs a legend', async () => {
    const ghost = movement({ id: 'mv-ghost', source: 'GHOST-07', sourceIp: '10.9.9.9', sourceOnly: true, linkIds: [] });
    // An RDP logon from an address no case host has: the arc needs a lane to start from too.
    const byIp = movement({ id: 'mv-ip', method: 'rdp', source: null, sourceIp: '203.0.113.9', sourceOnly: false, linkIds: [], target: 'WKS-NYC-1002', firstMs: PSEXEC.firstMs + 60_000, lastMs: PSEXEC.firstMs + 60_000 });
    const api = await openCase({ ...MOVEMENTS, movements: [ghost, byIp] });
    const lanes = screen.getByRole('list', { name: 'Hosts' });
    await waitFor(() => expect(within(lanes).getAllByRole('listitem')).toHaveLength(HOSTS.length + 2));
    for (const host of ['GHOST-07', '203.0.113.9']) {
      const lane = within(lanes).getAllByRole('listitem').find((li) => li.querySelector('.host')?.textContent === host)!;
      expect(lane).toHaveTextContent('source only');
    }
    const legend = screen.getByRole('list', { name: 'Arc colours by method' });
    expect(within(legend).getAllByRole('listitem').map((li) => li.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['PsExec (2)', 'RDP (1)']);
    await userEvent.click(screen.getByRole('button', { name: 'Movements (2)' }));
    await userEvent.click(within(screen.getByRole('list', { name: 'Movements in time order' })).getAllByRole('button')[0]!);
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.hosts).toBeDefined());
    expect([...api.callsTo('query.rows').at(-1)!.hosts!].sort()).toEqual(['DC01', 'WKS-NYC-1001']);
  });

  it('an empty movement answer still has a view, and it says no movements were found', async () => {
    await openCase({ movements: [], paths: [], episodes: [], findingSources: {} });
    const toggle = await screen.findByRole('button', { name: 'Movements (0)' });
    await userEvent.click(toggle);
    expect(screen.getByText('No movements between hosts were found in this case.')).toBeVisible();
    // No arcs but the fake's link: its legend says so.
    expect(within(screen.getByRole('list', { name: 'Arc colours by method' })).getAllByRole('listitem').map((li) => li.textContent?.replace(/\s+/g, ' ').trim())).toEqual(['PsExec (1)']);
  });
});

describe('finding cards name their source', () => {
  it("a finding attributed by findingSources says 'from WKS-NYC-1001 (10.0.0.12) as CORP\\alice'; others say nothing", async () => {
    const api = new FakeApi({ movements: { ...MOVEMENTS, findingSources: { [PSEXEC_FINDING.id]: PSEXEC.id } } });
    render(FindingsPanel, { api, version: 1, selectedId: null, onfocus: () => {}, onerror: () => {} });
    const list = await screen.findByRole('list', { name: 'Findings by risk' });
    const cards = await within(list).findAllByRole('button');
    const psexec = cards.find((c) => c.textContent?.includes('psexec-accepteula'))!;
    expect(within(psexec).getByTestId('finding-source')).toHaveTextContent(/^from WKS-NYC-1001 \(10\.0\.0\.12\) as CORP\\alice$/);
    const other = cards.find((c) => c.textContent?.includes('impacket-lateral-movement-sysmon'))!;
    expect(within(other).queryByTestId('finding-source')).toBeNull();
  });

  it('leaves out what is unknown, and shows hostile names as text', async () => {
    const m = movement({ id: 'mv-h', source: `WKS${HOSTILE}`, sourceIp: null, account: `CORP\\${HOSTILE}` });
    const api = new FakeApi({ movements: { ...MOVEMENTS, movements: [m, movement({ id: 'mv-ip', source: null, sourceIp: '10.0.0.99', account: null })], findingSources: { [PSEXEC_FINDING.id]: 'mv-h', [FINDINGS[0]!.id]: 'mv-ip' } } });
    const { container } = render(FindingsPanel, { api, version: 1, selectedId: null, onfocus: () => {}, onerror: () => {} });
    const list = await screen.findByRole('list', { name: 'Findings by risk' });
    await waitFor(() => expect(within(list).getAllByTestId('finding-source')).toHaveLength(2));
    const texts = within(list).getAllByTestId('finding-source').map((e) => e.textContent);
    expect(texts).toEqual(['from 10.0.0.99', `from WKS${HOSTILE} as CORP\\${HOSTILE}`]);
    expect(container.querySelector('img')).toBeNull();
  });
});
