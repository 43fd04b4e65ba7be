// App: start screen until the host pushes case-ready, then the case layout; a finding focuses the timeline
// and scopes the table; a table row opens the details drawer.
import { beforeAll, describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../../renderer/App.svelte';
import { FakeApi, FINDINGS, HOSTS } from './fake-api.ts';

beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});

describe('App', () => {
  it('a partial case names its evidence format "detecting…" until the engine has one, then the detected format', async () => {
    const api = new FakeApi({ totalRows: 5000 });
    const { container } = render(App, { api, mode: 'browser' });
    await userEvent.click(await screen.findByRole('button', { name: /Open bundled sample/ }));
    api.emit({ type: 'progress', progress: { jobId: 'job-1', phase: 'parsing', bytesDone: 10, bytesTotal: 100, records: 500, rejected: 0, rate: 1e6 } });
    const s = api.summary();
    const reading = { ...s, events: 500, findings: 0, rules: [], evidence: s.evidence.map((e) => ({ ...e, format: 'unknown', formatReason: 'still reading' })) };
    api.emit({ type: 'case-partial', jobId: 'job-1', summary: reading });
    await screen.findByTestId('partial-banner');
    const evidence = () => container.querySelector('.topbar .evidence')?.getAttribute('title') ?? '';
    await waitFor(() => expect(evidence()).toContain('(detecting…, sha256'));
    expect(evidence()).not.toContain('unknown');
    api.emit({ type: 'case-ready', summary: s });
    await waitFor(() => expect(evidence()).toContain(`(${s.evidence[0]!.format}, sha256`));
  });

  it('a case without events shows what each file held, not a timeline from 1970-01-01', async () => {
    const api = new FakeApi({ totalRows: 0 });
    const { container } = render(App, { api, mode: 'browser' });
    await userEvent.click(await screen.findByRole('button', { name: /Open bundled sample/ }));
    const s = api.summary();
    api.emit({ type: 'case-ready', summary: { ...s, events: 0, hosts: [], firstMs: 0, lastMs: 0, evidence: s.evidence.map((e) => ({ ...e, events: 0, bytes: 0, rejected: 0, nonProcessEvents: 0, warnings: ['the file is empty'] })) } });
    const main = await screen.findByRole('main', { name: 'No events to show' });
    expect(main).toHaveTextContent('sysmon-lateral.csv: the file is empty');
    expect(container.textContent).not.toContain('1970');
    expect(screen.queryByRole('grid', { name: 'Events' })).toBeNull();
    await userEvent.click(within(main).getByRole('button', { name: 'Open other evidence…' }));
    expect(await screen.findByRole('button', { name: /Open bundled sample/ })).toBeInTheDocument();
  });

  it('goes from the start screen through loading to the case layout', async () => {
    const api = new FakeApi({ totalRows: 5000 });
    render(App, { api, mode: 'browser' });
    await userEvent.click(await screen.findByRole('button', { name: /Open bundled sample/ }));
    expect(await screen.findByRole('progressbar', { name: 'Ingest progress' })).toBeInTheDocument();
    api.emit({ type: 'progress', progress: { jobId: 'job-1', phase: 'rules', bytesDone: 90, bytesTotal: 100, records: 4990, rejected: 2, rate: 1e6 } });
    expect(await screen.findByText('Running rules…')).toBeInTheDocument();
    api.emit({ type: 'case-ready', summary: api.summary() });

    const lanes = await screen.findByRole('list', { name: 'Hosts' });
    expect(within(lanes).getAllByRole('listitem')).toHaveLength(HOSTS.length);
    // Page answers are applied in the next animation frame.
    const grid = await screen.findByRole('grid', { name: 'Events' });
    await waitFor(() => expect(grid).toHaveAttribute('aria-rowcount', '5001'));
    expect(screen.getByRole('status')).toHaveTextContent('2 records were rejected');

    // A finding scopes the table to its events and focuses the timeline on its second.
    const psexec = FINDINGS.find((f) => f.ruleId === 'psexec-accepteula')!;
    await userEvent.click(await screen.findByRole('button', { name: /psexec-accepteula/ }));
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.findingId).toBe(psexec.id));
    await waitFor(() => expect(screen.getByRole('grid', { name: 'Events' })).toHaveAttribute('aria-rowcount', '3'));
    const tl = api.callsTo('query.timeline').at(-1)!;
    expect(tl.startMs).toBeLessThanOrEqual(psexec.binStartMs);
    expect(tl.endMs).toBeGreaterThanOrEqual(psexec.binEndMs);
    expect(tl.endMs - tl.startMs).toBeLessThan(5000 * 1000);

    // A row opens the details drawer.
    const rows = screen.getAllByRole('row').filter((r) => r.getAttribute('aria-rowindex') === '2');
    await waitFor(() => expect(within(rows[0]!).getAllByRole('gridcell')[1]).toHaveTextContent(/\S/));
    await userEvent.click(rows[0]!);
    expect(await screen.findByRole('complementary', { name: 'Event details' })).toBeInTheDocument();
    await screen.findByRole('heading', { name: 'Original fields' });

    // Escape closes the drawer; "/" jumps to the filter box.
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('complementary', { name: 'Event details' })).toBeNull();
    (document.activeElement as HTMLElement | null)?.blur();
    await userEvent.keyboard('/');
    expect(screen.getByRole('searchbox', { name: 'Filter' })).toHaveFocus();

    // p / n walk the findings in time order: the table follows and the finding gets focus.
    (document.activeElement as HTMLElement | null)?.blur();
    const inTime = [...FINDINGS].sort((a, b) => a.binStartMs - b.binStartMs || (a.id < b.id ? -1 : 1));
    const at = inTime.findIndex((f) => f.id === psexec.id);
    expect(at).toBeGreaterThan(0);
    await userEvent.keyboard('p');
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.findingId).toBe(inTime[at - 1]!.id));
    await waitFor(() => expect(document.activeElement?.getAttribute('aria-pressed')).toBe('true'));
    expect(document.activeElement).toHaveTextContent(inTime[at - 1]!.ruleId);
    await userEvent.keyboard('n');
    await waitFor(() => expect(api.callsTo('query.rows').at(-1)?.findingId).toBe(psexec.id));

    // "?" opens the keyboard shortcuts (a labelled dialog listing the keys above); Escape closes it, focus returns.
    const before = document.activeElement;
    await userEvent.keyboard('?');
    const keys = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    for (const k of ['/', 'n', 'p', '+', '?']) expect(within(keys).getAllByText(k, { selector: 'kbd' }).length).toBeGreaterThan(0);
    expect(within(keys).getByRole('button', { name: 'Close' })).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Keyboard shortcuts' })).toBeNull());
    expect(document.activeElement).toBe(before);
    expect(screen.getByRole('searchbox', { name: 'Filter' })).toBeInTheDocument();
  });

  it('shows host errors with code and location', async () => {
    const api = new FakeApi();
    render(App, { api, mode: 'browser' });
    await screen.findByRole('button', { name: /Open bundled sample/ });
    api.emit({ type: 'error', error: { code: 'E_FORMAT', message: 'no known format', location: { file: 'odd.bin', line: 3, column: 9 } } });
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('E_FORMAT');
    expect(alert).toHaveTextContent('no known format');
    expect(alert).toHaveTextContent('odd.bin, line 3:9');
    await userEvent.click(within(alert).getByRole('button', { name: 'Dismiss error E_FORMAT' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
