// Log text in the UI (issue 16, items 9 and 10): bidi controls in a host name or message are shown as visible marks,
// isolated from the text around them, so they cannot reverse a finding's message and time; a 100 kB host name is cut
// with its length said and the whole value one click away.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import LogText from '../../renderer/panels/LogText.svelte';
import FindingsPanel from '../../renderer/panels/FindingsPanel.svelte';
import HostRiskTable from '../../renderer/panels/HostRiskTable.svelte';
import { neutraliseBidi } from '../../renderer/log-text.ts';
import { FakeApi, FINDINGS } from './fake-api.ts';

const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('log text', () => {
  it('shows bidi controls as visible marks inside an isolate', () => {
    const { container } = render(LogText, { value: 'WS1\u202Egnp.exe\u2066x\u2069' });
    const bdi = container.querySelector('bdi')!;
    expect(bdi.textContent).toBe('WS1⟨U+202E⟩gnp.exe⟨U+2066⟩x⟨U+2069⟩');
    expect(BIDI.test(container.textContent ?? '')).toBe(false);
    expect(neutraliseBidi('plain host')).toBe('plain host');
  });

  it('cuts a 100 kB value and shows all of it on one click', async () => {
    const value = 'H'.repeat(100_000);
    const { container } = render(LogText, { value, max: 80 });
    expect(container.querySelector('bdi')!.textContent).toHaveLength(80);
    const more = screen.getByRole('button', { name: '… 99,920 more characters' });
    await userEvent.click(more);
    expect(container.querySelector('bdi')!.textContent).toHaveLength(100_000);
    expect(more).toHaveAttribute('aria-expanded', 'true');
  });

  it('the findings panel and host table never show a raw bidi control or a 100 kB host (were: reversed message, 665,127 px)', async () => {
    const hostile = '\u202E' + 'X'.repeat(100_000);
    const api = new FakeApi();
    const f0 = FINDINGS[0]!;
    const findings = [{ ...f0, host: hostile, message: `psexec on \u202E${hostile}` }, ...FINDINGS.slice(1)];
    vi.spyOn(api, 'call').mockImplementation(async (channel: string, req: unknown) => {
      if (channel === 'query.findings') {
        const res = (await FakeApi.prototype.call.call(api, channel as never, req as never)) as { findings: unknown[]; hosts: Array<{ host: string }> };
        return { ...res, findings, hosts: [{ ...res.hosts[0]!, host: hostile }, ...res.hosts.slice(1)] } as never;
      }
      return FakeApi.prototype.call.call(api, channel as never, req as never) as never;
    });
    const { container } = render(FindingsPanel, { api, version: 1, onfocus: vi.fn(), onerror: vi.fn() });
    await screen.findAllByText(/more characters/);
    const text = container.textContent ?? '';
    expect(BIDI.test(text)).toBe(false);
    expect(text.length).toBeLessThan(20_000);
    for (const el of container.querySelectorAll('[aria-label]')) expect(el.getAttribute('aria-label')!.length).toBeLessThan(400);
    const table = render(HostRiskTable, { hosts: [{ host: hostile, riskScore: 90, findings: 1, topRules: [] } as never] });
    expect(within(table.container).queryByRole('button', { name: /more characters/ })).toBeNull();
    expect((table.container.textContent ?? '').length).toBeLessThan(1000);
  });
});
