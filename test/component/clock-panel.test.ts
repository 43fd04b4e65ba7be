// ClockPanel (issue 15): a detected clock offset is offered, never applied without a click; a correction the analyst
// set is listed with Undo; any offset can be set by hand. Field names and reasons from the evidence stay text.
import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import type { CaseSummary, EvidenceSummary, HopscopeApi } from '../../engine/rpc/api.ts';
import ClockPanel from '../../renderer/panels/ClockPanel.svelte';

const SHA = 'c'.repeat(64);

function summary(ev: Partial<EvidenceSummary>): CaseSummary {
  const e: EvidenceSummary = {
    id: 'ev-0', name: 'psexec.json', path: '/ev/psexec.json', bytes: 10, sha256: SHA, format: 'windows-flat', formatReason: 'x', encoding: 'utf-8',
    events: 8, nonProcessEvents: 0, rejected: 0, rejectedByReason: {}, rejectSamples: [], assumedUtc: true, addedAt: '', ...ev,
  };
  return { evidence: [e], events: 8, hosts: ['WS5'], firstMs: 0, lastMs: 1, rules: [], ruleIssues: [], findings: 0, binSpanSec: 1 };
}

function fakeApi(): HopscopeApi & { call: ReturnType<typeof vi.fn> } {
  return { call: vi.fn(async () => summary({})), subscribe: () => () => {} } as unknown as HopscopeApi & { call: ReturnType<typeof vi.fn> };
}

describe('ClockPanel', () => {
  it('offers the detected offset and applies it only when asked', async () => {
    const api = fakeApi();
    const reason = 'TimeCreated is 4 h behind UtcTime (-04:00:00) on 241 of 241 record(s) <b>x</b>';
    render(ClockPanel, { api, onerror: vi.fn(), summary: summary({ clockOffers: [{ field: 'TimeCreated', offsetMs: 14_400_000, offset: '+04:00:00', events: 45, reason }] }) });
    expect(screen.getByText(reason, { exact: false })).toBeInTheDocument();
    expect(api.call).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Correct 45 events timed by TimeCreated by +04:00:00' }));
    expect(api.call).toHaveBeenCalledWith('case.setClock', { sha256: SHA, offsetMs: 14_400_000, field: 'TimeCreated' });
  });

  it('lists a correction set with Undo, and sets one by hand', async () => {
    const api = fakeApi();
    render(ClockPanel, { api, onerror: vi.fn(), summary: summary({ clock: [{ offset: '+04:00:00', offset_ms: 14_400_000, field: 'TimeCreated' }] }) });
    expect(screen.getByText(/events timed by TimeCreated moved by/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Undo' }));
    expect(api.call).toHaveBeenLastCalledWith('case.setClock', { sha256: SHA, offsetMs: 0, field: 'TimeCreated' });
    await userEvent.click(screen.getByText('Set a clock correction…'));
    await userEvent.selectOptions(screen.getByRole('combobox'), SHA);
    const offset = screen.getByRole('textbox', { name: 'Offset as +HH:MM:SS' });
    await userEvent.clear(offset);
    await userEvent.type(offset, '-05:00:00');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(api.call).toHaveBeenLastCalledWith('case.setClock', { sha256: SHA, offsetMs: -18_000_000 });
    await userEvent.clear(offset);
    await userEvent.type(offset, '5h');
    await userEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(screen.getByRole('alert')).toHaveTextContent('+HH:MM:SS');
  });
});
