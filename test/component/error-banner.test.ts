// ErrorBanner: one line per distinct error, its location beside the message (not twice), hostile text as text.
import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import ErrorBanner from '../../renderer/panels/ErrorBanner.svelte';
import { HopscopeError } from '../../engine/model/errors.ts';
import type { ShownError } from '../../renderer/state/app-state.svelte.ts';
import type { CaseSummary } from '../../engine/rpc/api.ts';

const evtxReason = 'not a readable log: a binary Windows event log (.evtx), not an export';
/** What the host hands over for an engine error: the message ends with its location (HopscopeError.toInfo). */
const shown = (seq: number, code: string, message: string, location?: ShownError['location']): ShownError => ({
  ...new HopscopeError(code as ShownError['code'], message, location).toInfo(),
  seq,
});

describe('ErrorBanner', () => {
  it('groups errors saying the same thing and shows each location once', async () => {
    const errors = [
      shown(1, 'E_FORMAT', evtxReason, { file: 'atexec_4688_global.evtx' }),
      shown(2, 'E_FORMAT', evtxReason, { file: 'dcomexec_4688.evtx' }),
      shown(3, 'E_FORMAT', 'CSV file has an empty header row', { file: 'empty.csv', line: 1 }),
      shown(4, 'E_IO', 'disk went away'),
    ];
    const ondismiss = vi.fn();
    render(ErrorBanner, { errors, summary: null, ondismiss });
    const items = screen.getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(items[0]).toHaveTextContent(`E_FORMAT ${evtxReason} (atexec_4688_global.evtx; dcomexec_4688.evtx)`);
    expect(items[0]!.textContent!.match(/atexec_4688_global\.evtx/g)).toHaveLength(1);
    expect(items[1]).toHaveTextContent('CSV file has an empty header row (empty.csv, line 1)');
    expect(items[1]!.textContent!.match(/empty\.csv/g)).toHaveLength(1);
    expect(items[2]).toHaveTextContent('E_IO disk went away');
    // One dismissal clears every error of the group.
    await userEvent.click(screen.getAllByRole('button', { name: 'Dismiss error E_FORMAT' })[0]!);
    expect(ondismiss.mock.calls.map((c) => c[0])).toEqual([1, 2]);
  });

  it('shows log text in messages as text, never as markup', () => {
    render(ErrorBanner, { errors: [shown(1, 'E_FORMAT', 'bad <img src=x onerror=alert(1)> header', { file: '<b>x</b>.csv' })], summary: null, ondismiss: vi.fn() });
    const item = screen.getByRole('listitem');
    expect(item.querySelector('img, b')).toBeNull();
    expect(item).toHaveTextContent('bad <img src=x onerror=alert(1)> header (<b>x</b>.csv)');
  });

  it('lists why a rule file of the analyst\'s own was skipped, the first 20 of many, but not the built-in pack\'s notes', () => {
    const issue = (n: number, severity: 'error' | 'unsupported' | 'warning', source: string) => ({ source, severity, code: 'E_RULE_UNSUPPORTED' as const, message: `reason ${n}`, ruleId: `r${n}` });
    const summary = (ruleIssues: ReturnType<typeof issue>[]) => ({ evidence: [], ruleIssues }) as unknown as CaseSummary;
    const { unmount } = render(ErrorBanner, { errors: [], ondismiss: vi.fn(), summary: summary([issue(1, 'unsupported', '/home/a/.config/hopscope/sigma/lab.yml'), issue(2, 'warning', 'builtin:x.yml'), issue(3, 'error', 'builtin:y.yml')]) });
    const box = screen.getByText(/rule\(s\) could not be used/);
    expect(box).toHaveTextContent('2 rule(s) could not be used:');
    expect([...box.querySelectorAll('.issue')].map((e) => e.textContent)).toEqual(['r1: reason 1', 'r3: reason 3']);
    expect(box).not.toHaveTextContent('reason 2');
    unmount();
    render(ErrorBanner, { errors: [], ondismiss: vi.fn(), summary: summary(Array.from({ length: 25 }, (_, n) => issue(n, 'unsupported', 'sigma/x.yml'))) });
    const many = screen.getByText(/rule\(s\) could not be used/);
    expect(many).toHaveTextContent('25 rule(s) could not be used:');
    expect([...many.querySelectorAll('.issue')].map((e) => e.textContent).slice(-2)).toEqual(['r19: reason 19', '… and 5 more']);
    expect(many).not.toHaveTextContent('reason 20');
  });
});

describe('ErrorBanner: a case locked by another Hopscope', () => {
  const lock = { pid: 4242, host: 'FORENSIC-01', since: '2026-01-02T03:04:05.000Z' };
  const lockedError = (seq = 1): ShownError => ({
    ...HopscopeError.locked('the case is open in another Hopscope process (pid 4242 on FORENSIC-01)', lock, { file: '/cases/abc' }).toInfo(),
    seq,
  });

  it('names who holds the case and takes it over only after a confirmation that explains the risk', async () => {
    const ontakeover = vi.fn();
    render(ErrorBanner, { errors: [lockedError()], summary: null, ondismiss: vi.fn(), ontakeover });
    const item = screen.getByRole('listitem');
    expect(item).toHaveTextContent('E_CASE_LOCKED');
    expect(item).toHaveTextContent('Open in another Hopscope, pid 4242 on FORENSIC-01 since 2026-01-02T03:04:05.000Z.');
    expect(screen.queryByText(/overwrite/)).toBeNull();

    // The first click only asks: the risk is spelled out, nothing is taken yet.
    await userEvent.click(screen.getByRole('button', { name: 'Take the case over' }));
    expect(ontakeover).not.toHaveBeenCalled();
    const confirm = screen.getByRole('button', { name: 'Take over, that Hopscope is gone' });
    const risk = screen.getByText(/still running is not told/);
    expect(risk).toHaveTextContent(/only if that Hopscope is gone/);
    expect(risk).toHaveTextContent(/notes saved by either one can overwrite the other's and be lost/);
    expect(confirm).toHaveAccessibleDescription(risk.textContent!.replace(/\s+/g, ' ').trim());

    // Keeping it locked takes nothing and goes back to the offer.
    await userEvent.click(screen.getByRole('button', { name: 'Keep it locked' }));
    expect(ontakeover).not.toHaveBeenCalled();
    expect(screen.queryByRole('button', { name: 'Take over, that Hopscope is gone' })).toBeNull();
    expect(screen.queryByText(/still running is not told/)).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'Take the case over' }));
    await userEvent.click(screen.getByRole('button', { name: 'Take over, that Hopscope is gone' }));
    expect(ontakeover).toHaveBeenCalledTimes(1);
  });

  it('offers no take-over for other errors, for a lock without its owner, or without a way to take over', () => {
    const { unmount } = render(ErrorBanner, {
      errors: [shown(1, 'E_CASE', 'cannot lock the case'), { code: 'E_CASE_LOCKED', message: 'locked', seq: 2 }],
      summary: null,
      ondismiss: vi.fn(),
      ontakeover: vi.fn(),
    });
    expect(screen.queryByRole('button', { name: 'Take the case over' })).toBeNull();
    unmount();
    render(ErrorBanner, { errors: [lockedError()], summary: null, ondismiss: vi.fn() });
    expect(screen.queryByRole('button', { name: 'Take the case over' })).toBeNull();
  });

  it('shows a hostile owner name as text', () => {
    const hostile = { ...lockedError(), lock: { pid: 1, host: '<img src=x onerror=alert(1)>' } };
    render(ErrorBanner, { errors: [hostile], summary: null, ondismiss: vi.fn(), ontakeover: vi.fn() });
    const item = screen.getByRole('listitem');
    expect(item.querySelector('img')).toBeNull();
    expect(item).toHaveTextContent('pid 1 on <img src=x onerror=alert(1)>');
  });
});
