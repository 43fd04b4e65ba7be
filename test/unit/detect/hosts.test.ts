import { describe, expect, it } from 'vitest';
import { sameHost, shortHostName } from '../../../engine/detect/hosts.ts';

describe('host names', () => {
  it('matches case-insensitively and short name against FQDN', () => {
    expect(shortHostName('WORKSTATION6.theshire.local')).toBe('workstation6');
    expect(sameHost('WORKSTATION6', 'workstation6.theshire.local')).toBe(true);
    expect(sameHost('workstation6.THESHIRE.local', 'WORKSTATION6.theshire.local')).toBe(true);
    expect(sameHost('ws6.a.local', 'ws6.b.local')).toBe(false);
    expect(sameHost('ws6', 'ws7')).toBe(false);
    expect(sameHost('10.0.0.5', '10')).toBe(false);
    expect(sameHost('10.0.0.5', '10.0.0.5')).toBe(true);
  });
});
