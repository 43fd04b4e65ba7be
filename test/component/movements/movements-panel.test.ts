// Movements view (issue 14): movements listed in time order with method, source, target, account, seen-from and
// missing steps; hosts as graph nodes; paths; episodes with the RBA sum and the distinct score; an empty answer
// says so; log text (hosts, accounts, summaries) is text, never markup; no axe violations.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import MovementsPanel from '../../../renderer/movements/MovementsPanel.svelte';
import { HOSTILE, PSEXEC, movement, threeMovements } from './fixtures.ts';

async function noAxeViolations(root: HTMLElement): Promise<void> {
  // jsdom lays nothing out: colour contrast is checked by the e2e axe run in a real browser.
  const res = await axe.run(root, { resultTypes: ['violations'], rules: { 'color-contrast': { enabled: false } } });
  expect(res.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

describe('MovementsPanel', () => {
  it('lists movements in time order with method, source, target, account, seen-from and missing steps', async () => {
    const onmovement = vi.fn();
    const { container } = render(MovementsPanel, { result: threeMovements(), onmovement });
    expect(screen.getByRole('heading', { name: /Movements\s*3/ })).toBeInTheDocument();
    const list = screen.getByRole('list', { name: 'Movements in time order' });
    const items = within(list).getAllByRole('button');
    expect(items.map((b) => b.querySelector('.order')?.textContent)).toEqual(['1', '2', '3']);
    expect(items[0]).toHaveTextContent('203.0.113.9 -> WKS-NYC-1002 as unknown account by RDP');
    expect(items[0]).toHaveTextContent('1 step, missing: rdp');
    expect(items[0]).toHaveTextContent('seen from the target');
    expect(items[1]).toHaveTextContent('WKS-NYC-1001 (10.0.0.12) -> DC01 as CORP\\alice by PsExec, 2024-03-05T14:00:42.000Z..2024-03-05T14:00:45.000Z, 3 steps, missing: service-install');
    expect(items[1]).toHaveTextContent('seen from both sides');
    expect(items[1]).toHaveTextContent(PSEXEC.explanation);
    expect(items[2]).toHaveTextContent('DC01 (10.0.0.5) -> SRV-FILE-01 as CORP\\admin by wmiexec');
    expect(items[2]).not.toHaveTextContent('missing');
    await userEvent.click(items[1]!);
    expect(onmovement).toHaveBeenCalledTimes(1);
    expect(onmovement.mock.calls[0]![0].id).toBe('mv-a');
    // The legend names the methods shown.
    expect(within(screen.getByRole('list', { name: 'Methods' })).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['RDP', 'PsExec', 'wmiexec']);
    await noAxeViolations(container);
  });

  it('marks the selected movement as pressed and in the graph', () => {
    const { container } = render(MovementsPanel, { result: threeMovements(), selectedId: 'mv-b', onmovement: vi.fn() });
    const items = within(screen.getByRole('list', { name: 'Movements in time order' })).getAllByRole('button');
    expect(items.map((b) => b.getAttribute('aria-pressed'))).toEqual(['false', 'false', 'true']);
    expect(container.querySelectorAll('.edge.selected')).toHaveLength(1);
  });

  it('the selected movement shows its steps in order, what is missing, and how its source was named', () => {
    render(MovementsPanel, { result: threeMovements(), selectedId: 'mv-a', onmovement: vi.fn() });
    const steps = screen.getByRole('list', { name: 'Steps of movement 2' });
    expect(within(steps).getAllByTestId('movement-step').map((li) => li.textContent)).toEqual([
      '2024-03-05T14:00:42.000Z · naming-command · WKS-NYC-1001 · psexec.exe \\\\DC01 -accepteula -s cmd.exe',
      '2024-03-05T14:00:44.000Z · logon · DC01 · 4624 type 3 logon CORP\\alice from 10.0.0.12 (WKS-NYC-1001), logon id 0x3e7a1',
      '2024-03-05T14:00:45.000Z · process · DC01 · PSEXESVC.exe started by services.exe',
    ]);
    expect(within(steps).getByTestId('movement-step-missing')).toHaveTextContent('service-install: not found');
    expect(screen.getByText("Source named by the logon's workstation name")).toBeInTheDocument();
    // Only the selected movement's steps are listed.
    expect(screen.getAllByRole('list', { name: /^Steps of movement/ })).toHaveLength(1);
  });

  it('draws hosts as nodes and one numbered edge per movement, coloured by method', () => {
    const { container } = render(MovementsPanel, { result: threeMovements(), onmovement: vi.fn() });
    const graph = screen.getByRole('img', { name: 'Movement graph: 5 hosts, 3 movements in time order' });
    const nodes = within(graph).getAllByTestId('graph-node');
    expect(nodes.map((n) => n.textContent)).toEqual(['203.0.113.9', 'WKS-NYC-1002', 'WKS-NYC-1001', 'DC01', 'SRV-FILE-01']);
    const edges = container.querySelectorAll('.edge');
    expect([...edges].map((e) => e.querySelector('text')?.textContent)).toEqual(['1', '2', '3']);
    expect([...edges].map((e) => e.querySelector('path')?.getAttribute('stroke'))).toEqual(['#2ca02c', '#d62728', '#9467bd']);
    // Every arrow marker an edge points at exists.
    for (const e of edges) {
      const id = /url\(#(.+)\)/.exec(e.querySelector('path')!.getAttribute('marker-end')!)![1]!;
      expect(container.querySelector(`marker[id="${id}"]`)).not.toBeNull();
    }
  });

  it('shows a source-only host so in the graph and the list', () => {
    render(MovementsPanel, { result: { ...threeMovements(), movements: [movement({ source: 'GHOST-07', sourceIp: null, sourceOnly: true })] }, onmovement: vi.fn() });
    expect(screen.getAllByTestId('graph-node').map((n) => n.textContent)).toEqual(['GHOST-07 (source only)', 'DC01']);
    expect(within(screen.getByRole('list', { name: 'Movements in time order' })).getByRole('button')).toHaveTextContent('source only');
  });

  it('lists paths with the accounts carried along, and episodes with the RBA sum and the each-event-once score', async () => {
    const { container } = render(MovementsPanel, { result: threeMovements(), ruleTitle: (id: string) => (id === 'psexec-accepteula' ? 'PsExec with -accepteula' : id), onmovement: vi.fn() });
    const path = screen.getByTestId('movement-path');
    expect(path).toHaveTextContent('WKS-NYC-1001 -> DC01 -> SRV-FILE-01 as CORP\\alice, CORP\\admin, 2024-03-05T14:00:42.000Z..2024-03-05T14:01:42.000Z (2 movements)');
    const ep = screen.getByTestId('episode');
    expect(ep).toHaveTextContent('DC01');
    expect(ep).toHaveTextContent('One episode of 2 rules: PsExec with -accepteula, impacket-lateral-movement-sysmon');
    expect(ep).toHaveTextContent('2 events · risk 136 (RBA sum) · 80 (each event once)');
    await noAxeViolations(container);
  });

  it('an empty answer says no movements were found, not a blank panel', async () => {
    const { container } = render(MovementsPanel, { result: { movements: [], paths: [], episodes: [], findingSources: {} }, onmovement: vi.fn() });
    expect(screen.getByRole('heading', { name: /Movements\s*0/ })).toBeInTheDocument();
    expect(screen.getByText('No movements between hosts were found in this case.')).toBeVisible();
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.queryByTestId('episode')).toBeNull();
    await noAxeViolations(container);
    // An answer from a host that predates movements is the same.
    render(MovementsPanel, { result: undefined, onmovement: vi.fn() });
    expect(screen.getAllByText('No movements between hosts were found in this case.')).toHaveLength(2);
  });

  it('renders hostile host, account, explanation and path strings as text', () => {
    const result = threeMovements();
    result.movements = [movement({ source: `WKS${HOSTILE}`, sourceIp: '10.0.0.1', target: `DC${HOSTILE}`, account: `CORP\\${HOSTILE}`, explanation: `why ${HOSTILE}`, sourceOnly: true })];
    result.paths = [{ ...result.paths[0]!, hosts: [HOSTILE, 'DC01'] }];
    result.episodes = [{ ...result.episodes[0]!, host: HOSTILE, ruleIds: [HOSTILE] }];
    result.movements[0]!.steps[1]!.summary = `4624 ${HOSTILE}`;
    result.movements[0]!.steps[1]!.host = HOSTILE;
    const { container } = render(MovementsPanel, { result, selectedId: result.movements[0]!.id, onmovement: vi.fn() });
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('[onerror]')).toBeNull();
    const item = within(screen.getByRole('list', { name: 'Movements in time order' })).getByRole('button');
    expect(item).toHaveTextContent(`WKS${HOSTILE} (10.0.0.1) -> DC${HOSTILE} as CORP\\${HOSTILE}`);
    expect(item).toHaveTextContent(`why ${HOSTILE}`);
    expect(screen.getAllByTestId('graph-node')[0]!.textContent).toBe('WKS<img src=x onerror=al… (source only)');
    expect(screen.getByTestId('movement-path')).toHaveTextContent(`${HOSTILE} -> DC01`);
    expect(screen.getByTestId('episode')).toHaveTextContent(HOSTILE);
    expect(screen.getAllByTestId('movement-step')[1]!.textContent).toBe(`2024-03-05T14:00:44.000Z · logon · ${HOSTILE} · 4624 ${HOSTILE}`);
    // Bidi controls in a host cannot reorder the line: they are shown as marks.
    result.movements = [movement({ target: 'DC\u202E10' })];
    render(MovementsPanel, { result, onmovement: vi.fn() });
    expect(screen.getAllByText(/DC⟨U\+202E⟩10/).length).toBeGreaterThan(0);
  });
});
