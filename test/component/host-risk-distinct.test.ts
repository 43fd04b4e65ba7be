// Host risk shows Splunk's RBA sum and, where rules overlap on the same events, the score with each event once (issue 14).
import { render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import HostRiskTable from '../../renderer/panels/HostRiskTable.svelte';
import type { HostRisk } from '../../engine/detect/types.ts';

const host = (name: string, riskScore: number, riskDistinct: number | undefined): HostRisk => ({
  host: name, events: 3, findings: 2, riskScore, ...(riskDistinct !== undefined ? { riskDistinct } : {}), topRules: [], firstMs: 0, lastMs: 0,
});

describe('host risk: RBA sum and each event once', () => {
  it('shows the distinct score beside the sum only when they differ', () => {
    const { container } = render(HostRiskTable, { hosts: [host('DC01', 120, 64), host('WKS-1', 35, 35), host('OLD', 20, undefined)] });
    const rows = [...container.querySelectorAll('tbody tr')];
    expect(rows[0]!.querySelector('.badge')!.textContent).toBe('120');
    expect(rows[0]!.querySelector('.distinct')!.textContent).toMatch(/^64 with each event counted once$/);
    expect(rows[1]!.querySelector('.distinct')).toBeNull();
    expect(rows[2]!.querySelector('.distinct')).toBeNull();
  });
});
