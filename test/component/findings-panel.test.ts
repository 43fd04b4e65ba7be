// FindingsPanel: findings sorted by risk with their messages as text; choosing one calls the focus callback.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import FindingsPanel from '../../renderer/panels/FindingsPanel.svelte';
import type { Finding } from '../../engine/detect/types.ts';
import { AppState } from '../../renderer/state/app-state.svelte.ts';
import { BASE_MS, FakeApi, FINDINGS, LINKS } from './fake-api.ts';

/** 450 findings (risk i % 100, so r|H|0 and four others have risk 0 and sort last by risk). */
function apiWith450Findings(): FakeApi {
  const api = new FakeApi();
  const many: Finding[] = Array.from({ length: 450 }, (_, i) => ({ ...FINDINGS[0]!, id: `r|H|${i}`, binStartMs: BASE_MS + i * 1000, riskScore: i % 100 }));
  const orig = api.call.bind(api);
  api.call = (async (channel: string, req: unknown) =>
    channel === 'query.findings' ? { findings: many, hosts: [], links: [] } : orig(channel as never, req as never)) as typeof api.call;
  return api;
}

describe('FindingsPanel', () => {
  it('shows findings by risk with rule, host, count, techniques and message', async () => {
    const api = new FakeApi();
    render(FindingsPanel, { api, version: 1, selectedId: null, onfocus: vi.fn(), onerror: vi.fn() });
    const list = await screen.findByRole('list', { name: 'Findings by risk' });
    const items = await within(list).findAllByRole('button');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('impacket-lateral-movement-sysmon');
    expect(items[0]).toHaveTextContent('Impacket lateral movement (wmiexec/smbexec) on SRV-FILE-01');
    expect(items[0]).toHaveTextContent('T1021.002 · T1047');
    expect(items[1]).toHaveTextContent('psexec-accepteula');
    expect(items[1]).toHaveTextContent('PsExec with -accepteula run by CORP\\alice on WKS-NYC-1001: psexec.exe \\\\DC01 -accepteula -s cmd.exe');
    expect(items[1]).toHaveTextContent('×2');
    expect(items[1]).toHaveTextContent('WKS-NYC-1001');
    expect(items[1]).toHaveTextContent('2024-03-05T14:00:42.000Z');
  });

  it('heads a Sigma rule\'s finding with the rule title (its id is a UUID kept as the tooltip); other rules by id', async () => {
    const api = new FakeApi();
    const sigmaId = '7e2e0000-1111-4222-8333-944444444444';
    const orig = api.call.bind(api);
    api.call = (async (channel: string, req: unknown) =>
      channel === 'query.findings'
        ? {
            findings: [{ ...FINDINGS[1]!, id: `${sigmaId}|WKS-NYC-1001|0`, ruleId: sigmaId }, FINDINGS[0]!],
            hosts: [{ host: 'WKS-NYC-1001', events: 10, findings: 1, riskScore: 56, topRules: [{ ruleId: sigmaId, findings: 1, riskScore: 56 }], firstMs: BASE_MS, lastMs: BASE_MS + 1000 }],
            links: [],
          }
        : orig(channel as never, req as never)) as typeof api.call;
    const rules = [
      { id: sigmaId, title: 'PsExec <b>service</b> install', language: 'sigma' },
      { id: 'impacket-lateral-movement-sysmon', title: 'Impacket lateral movement', language: 'spl' },
    ];
    const { container } = render(FindingsPanel, { api, version: 1, selectedId: null, onfocus: vi.fn(), onerror: vi.fn(), rules });
    const list = await screen.findByRole('list', { name: 'Findings by risk' });
    const heads = [...(await within(list).findAllByRole('button'))].map((b) => b.querySelector('.rule')!);
    expect(heads.map((h) => h.textContent)).toEqual(['impacket-lateral-movement-sysmon', 'PsExec <b>service</b> install']);
    expect(heads[1]!.getAttribute('title')).toBe(`Sigma rule ${sigmaId}`);
    expect(container.querySelector('.rule b')).toBeNull();
    // The host risk table names it the same way.
    expect(screen.getByRole('table').querySelector('.rules')).toHaveTextContent('PsExec <b>service</b> install ×1');
  });

  it('says findings come after the rules while a partial case is shown', async () => {
    const api = new FakeApi();
    const orig = api.call.bind(api);
    api.call = (async (channel: string, req: unknown) =>
      channel === 'query.findings' ? { findings: [], hosts: [], links: [] } : orig(channel as never, req as never)) as typeof api.call;
    render(FindingsPanel, { api, version: 1, selectedId: null, onfocus: vi.fn(), onerror: vi.fn(), pending: true });
    expect(await screen.findByTestId('findings-pending')).toHaveTextContent('Findings after the rules run');
    expect(screen.queryByText(/no rule matched/)).toBeNull();
  });

  it('selecting a finding triggers the focus callback with that finding', async () => {
    const api = new FakeApi();
    const onfocus = vi.fn();
    render(FindingsPanel, { api, version: 1, selectedId: null, onfocus, onerror: vi.fn() });
    await userEvent.click(await screen.findByRole('button', { name: /psexec-accepteula/ }));
    expect(onfocus).toHaveBeenCalledWith(FINDINGS.find((f) => f.ruleId === 'psexec-accepteula'));
  });

  it('shows pages up to a finding selected from elsewhere (n / p past the first 200)', async () => {
    const api = apiWith450Findings();
    // Risk 0 sorts last: r|H|0 is among the final five of 450.
    render(FindingsPanel, { api, version: 1, selectedId: 'r|H|0', onfocus: vi.fn(), onerror: vi.fn() });
    const list = await screen.findByRole('list', { name: 'Findings by risk' });
    await waitFor(() => expect(list.querySelectorAll('button[aria-pressed="true"]')).toHaveLength(1));
    expect(list.querySelectorAll('button').length).toBeGreaterThan(400);
  });

  it('renders thousands of findings a page at a time', async () => {
    const api = apiWith450Findings();
    render(FindingsPanel, { api, version: 1, selectedId: null, onfocus: vi.fn(), onerror: vi.fn() });
    const list = await screen.findByRole('list', { name: 'Findings by risk' });
    await waitFor(() => expect(list.querySelectorAll('button')).toHaveLength(200));
    expect(list.querySelector('button')).toHaveTextContent('99');
    await userEvent.click(screen.getByText('Show 200 more (250 not shown)'));
    expect(list.querySelectorAll('button')).toHaveLength(400);
    await userEvent.click(screen.getByText('Show 50 more (50 not shown)'));
    expect(list.querySelectorAll('button')).toHaveLength(450);
    expect(screen.queryByText(/ more \(/)).toBeNull();
  });

  it('explains why the selected finding matched, as text', async () => {
    const api = new FakeApi();
    const psexec = FINDINGS.find((f) => f.ruleId === 'psexec-accepteula')!;
    const { container } = render(FindingsPanel, { api, version: 1, selectedId: psexec.id, onfocus: vi.fn(), onerror: vi.fn() });
    await userEvent.click(await screen.findByRole('button', { name: 'Why did this match?' }));
    expect(api.callsTo('query.explain')).toEqual([{ ruleId: 'psexec-accepteula', findingId: psexec.id }]);
    expect(await screen.findAllByText('matched')).toHaveLength(2);
    expect(screen.getAllByText('process="*-accepteula*" AND process_name="<script>psexec.exe"')).toHaveLength(2);
    expect(container.querySelector('script')).toBeNull();
    // In a dialog of its own, not inline in the narrow sidebar; Close, Escape and a click outside close it.
    const dialog = screen.getByRole('dialog', { name: /^Why psexec-accepteula matched/ });
    expect(dialog.tagName).toBe('DIALOG');
    expect(within(dialog).getAllByText('matched')).toHaveLength(2);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByText('matched')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Why did this match?' }));
    await screen.findAllByText('matched');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByText('matched')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Why did this match?' }));
    await screen.findAllByText('matched');
    await userEvent.click(screen.getByRole('dialog'));
    expect(screen.queryByText('matched')).toBeNull();
  });

  it('lists lateral-movement links; choosing one scopes the table to both hosts around it', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    app.showCase(api.summary());
    const onlink = vi.fn((l) => app.focusLink(l));
    render(FindingsPanel, { api, version: 1, selectedId: null, onfocus: vi.fn(), onlink, onerror: vi.fn() });
    const links = await screen.findByRole('list', { name: 'Lateral movement between hosts' });
    const button = within(links).getByRole('button');
    expect(button).toHaveTextContent('WKS-NYC-1001 → DC01');
    expect(button).toHaveTextContent('psexec · 2024-03-05T14:00:42.000Z');
    await userEvent.click(button);
    expect(onlink).toHaveBeenCalledWith(LINKS[0]);
    expect(app.table.hosts).toEqual(['WKS-NYC-1001', 'DC01']);
    expect(app.table.range).toEqual({ startMs: BASE_MS + 12_000, endMs: BASE_MS + 75_000 });
    expect(app.view.startMs).toBeLessThanOrEqual(BASE_MS + 42_000);
    expect(app.view.endMs).toBeGreaterThanOrEqual(BASE_MS + 45_000);
  });

  it('groups many links by source, target and method with counts, finding-backed first, and says how many are hidden', async () => {
    const api = new FakeApi();
    const many = Array.from({ length: 30 }, (_, g) =>
      Array.from({ length: g + 1 }, (_, i) => ({ ...LINKS[0]!, id: `m${g}-${i}`, fromHost: `WKS-${g}`, fromRow: 900 + g, toRow: 950 + g, fromTimeMs: BASE_MS + i * 1000, toTimeMs: BASE_MS + i * 1000 + 10 })),
    ).flat();
    const orig = api.call.bind(api);
    api.call = (async (channel: string, req: unknown) => {
      const res = await orig(channel as never, req as never);
      return channel === 'query.findings' ? { ...(res as object), links: [...LINKS, ...many] } : res;
    }) as typeof api.call;
    const onlink = vi.fn();
    render(FindingsPanel, { api, version: 1, selectedId: null, onfocus: vi.fn(), onlink, onerror: vi.fn() });
    const list = await screen.findByRole('list', { name: 'Lateral movement between hosts' });
    const items = within(list).getAllByRole('button');
    expect(items).toHaveLength(20);
    // LINKS[0] (WKS-NYC-1001 -> DC01) holds finding events (rows 42 / 45): first, marked; then the largest groups.
    expect(items[0]).toHaveTextContent(/^WKS-NYC-1001 → DC01 psexec · .* · finding$/);
    expect(items[1]).toHaveTextContent('WKS-29 → DC01×30');
    expect(items[2]).toHaveTextContent('WKS-28 → DC01×29');
    expect(screen.getByRole('heading', { name: /Lateral movement/ })).toHaveTextContent(`${1 + many.length} in 31 groups`);
    const hidden = screen.getByTestId('links-hidden');
    const rest = many.filter((l) => Number(l.fromHost.slice(4)) < 11).length;
    expect(hidden).toHaveTextContent(`11 more groups (${rest} links) not listed.`);
    await userEvent.click(items[1]!);
    expect(onlink).toHaveBeenCalledWith(expect.objectContaining({ fromHost: 'WKS-29', toHost: 'DC01', fromTimeMs: BASE_MS, toTimeMs: BASE_MS + 29_010 }));
    await userEvent.click(within(hidden).getByRole('button', { name: 'Show more' }));
    expect(within(list).getAllByRole('button')).toHaveLength(31);
    expect(screen.queryByTestId('links-hidden')).toBeNull();
  });

  it('a host of the risk list scopes the table to that host', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    app.showCase(api.summary());
    render(FindingsPanel, { api, version: 1, selectedId: null, onfocus: vi.fn(), onhost: (h: string) => app.focusHost(h), onerror: vi.fn() });
    const hosts = await screen.findByRole('table', { name: 'Host risk' });
    await userEvent.click(within(hosts).getByRole('button', { name: /^Events of SRV-FILE-01, risk 80/ }));
    expect(app.table.hosts).toEqual(['SRV-FILE-01']);
    expect(app.table.findingId).toBeNull();
  });
});

describe('FindingsPanel sort and group', () => {
  it('sorts by time and groups by host with a count per group', async () => {
    const api = new FakeApi();
    render(FindingsPanel, { api, version: 1, selectedId: null, onfocus: vi.fn(), onerror: vi.fn() });
    await screen.findByRole('list', { name: 'Findings by risk' });
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Sort findings by' }), 'time');
    const byTime = within(screen.getByRole('list', { name: 'Findings by time' })).getAllByRole('button');
    const inTime = [...FINDINGS].sort((a, b) => a.binStartMs - b.binStartMs);
    expect(byTime.map((b) => b.querySelector('.rule')?.textContent)).toEqual(inTime.map((x) => x.ruleId));
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Group findings by' }), 'host');
    for (const host of new Set(FINDINGS.map((x) => x.host))) {
      const n = FINDINGS.filter((x) => x.host === host).length;
      expect(within(screen.getByRole('list', { name: `Findings of ${host}` })).getAllByRole('button')).toHaveLength(n);
      expect(screen.getByRole('heading', { name: new RegExp(`^${host} ${n} findings$`) })).toBeInTheDocument();
    }
  });
});

describe('HostRiskTable', () => {
  it('lists summed risk, findings and top rules per host; a host scopes the table', async () => {
    const { default: HostRiskTable } = await import('../../renderer/panels/HostRiskTable.svelte');
    const onhost = vi.fn();
    const hosts = [
      { host: 'DC01', events: 30, findings: 4, riskScore: 238, topRules: [{ ruleId: 'impacket-smbexec-commandline', findings: 1, riskScore: 63 }, { ruleId: 'hopscope-smbexec-robust', findings: 1, riskScore: 63 }], firstMs: 0, lastMs: 1 },
      { host: '<b>WKS</b>', events: 28, findings: 1, riskScore: 35, topRules: [{ ruleId: 'psexec-accepteula', findings: 1, riskScore: 35 }], firstMs: 0, lastMs: 1 },
    ];
    render(HostRiskTable, { hosts, onhost, top: 1 });
    const table = screen.getByRole('table', { name: 'Host risk' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(2);
    const cells = within(rows[1]!).getAllByRole('cell');
    expect(cells.map((c) => c.textContent?.trim())).toEqual(['DC01 Top rules:impacket-smbexec-commandline ×1hopscope-smbexec-robust ×1', '238', '4']);
    await userEvent.click(screen.getByRole('button', { name: 'All 2 hosts' }));
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(table.querySelector('b')).toBeNull();
    await userEvent.click(within(table).getByRole('button', { name: /^Events of <b>WKS<\/b>, risk 35, 1 findings$/ }));
    expect(onhost).toHaveBeenCalledWith('<b>WKS</b>');
  });
});
