// Findings of several rules on the same events read as one episode card (issue 14): the riskiest finding names every
// rule with Splunk's RBA sum and the score with each event once; "Each rule's finding" lists them separately again.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import FindingsPanel from '../../renderer/panels/FindingsPanel.svelte';
import type { Finding } from '../../engine/detect/types.ts';
import { FakeApi, FINDINGS, MOVEMENTS } from './fake-api.ts';

const seed = FINDINGS[0]!;
// The robust variant firing on the same event as the seed (the sample's DC01 shows both).
const robustDefault: Finding = { ...seed, id: `hopscope-impacket-exec-robust|${seed.host}|${seed.binStartMs}`, ruleId: 'hopscope-impacket-exec-robust', riskScore: 64, message: 'robust <img src=x onerror=alert(1)>' };

function api(robust: Finding = robustDefault): FakeApi {
  const a = new FakeApi({
    movements: {
      ...MOVEMENTS,
      episodes: [{ id: `ep|${robust.id}`, host: seed.host, firstMs: seed.binStartMs, lastMs: seed.binEndMs, ruleIds: [robust.ruleId, seed.ruleId].sort(), findingIds: [robust.id, seed.id].sort(), eventCount: 1, riskSum: seed.riskScore + 64, riskDistinct: Math.max(seed.riskScore, 64) }],
    },
  });
  const orig = a.call.bind(a);
  a.call = (async (channel: string, req: unknown) => {
    const res = await orig(channel as never, req as never);
    return channel === 'query.findings' ? { ...(res as object), findings: [robust, ...(res as { findings: Finding[] }).findings] } : res;
  }) as typeof a.call;
  return a;
}

const robust = robustDefault;

describe('episodes in the findings list', () => {
  it('on equal risk the seed leads and Hopscope\'s variant is the one folded in', async () => {
    const tied: Finding = { ...robustDefault, riskScore: seed.riskScore };
    render(FindingsPanel, { api: api(tied), version: 1, selectedId: null, onfocus: vi.fn(), onerror: vi.fn() });
    const list = await screen.findByRole('list', { name: 'Findings by risk' });
    const rules = (await within(list).findAllByRole('button')).map((b) => b.querySelector('.rule')?.textContent);
    expect(rules).toContain(seed.ruleId);
    expect(rules).not.toContain(tied.ruleId);
  });

  it('one card for the episode naming the other rule with both scores; the option lists each rule\'s finding', async () => {
    render(FindingsPanel, { api: api(), version: 1, selectedId: null, onfocus: vi.fn(), onerror: vi.fn() });
    const list = await screen.findByRole('list', { name: 'Findings by risk' });
    let items = await within(list).findAllByRole('button');
    expect(items).toHaveLength(2);
    // The riskier finding leads the episode and names the other rule.
    const [lead, member] = seed.riskScore >= 64 ? [seed, robust] : [robust, seed];
    const card = items.find((b) => b.textContent?.includes(lead.ruleId))!;
    expect(items.some((b) => b.querySelector('.rule')?.textContent === member.ruleId)).toBe(false);
    expect(card.querySelector('[data-testid="finding-episode"]')!.textContent).toBe(
      `One episode with ${member.ruleId} on the same events · risk ${seed.riskScore + 64} (RBA sum) · ${Math.max(seed.riskScore, 64)} (each event once)`,
    );
    await userEvent.click(screen.getByRole('checkbox', { name: "Each rule's finding" }));
    items = await within(list).findAllByRole('button');
    expect(items).toHaveLength(3);
    expect(items.filter((b) => b.querySelector('[data-testid="finding-episode"]'))).toHaveLength(2);
    expect(document.querySelector('img')).toBeNull();
  });
});
