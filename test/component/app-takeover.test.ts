// App: a case another Hopscope holds (E_CASE_LOCKED) names the holder in the banner; taking it over asks first,
// and only a confirmation re-issues the open with takeOver.
import { beforeAll, describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../../renderer/App.svelte';
import { FakeApi } from './fake-api.ts';

beforeAll(() => {
  HTMLCanvasElement.prototype.getContext = (() => null) as unknown as HTMLCanvasElement['getContext'];
});

const LOCKED = {
  code: 'E_CASE_LOCKED' as const,
  message: 'the case is open in another Hopscope process (pid 4242 on FORENSIC-01 since 2026-01-02T03:04:05.000Z); close it there, or take the case over if that Hopscope is gone',
  lock: { pid: 4242, host: 'FORENSIC-01', since: '2026-01-02T03:04:05.000Z' },
};

describe('App: a locked case', () => {
  it('shows who holds it; Keep it locked re-issues nothing, a confirmed take-over re-issues the same open with takeOver', async () => {
    const api = new FakeApi({ totalRows: 50 });
    render(App, { api, mode: 'browser' });
    await userEvent.click(await screen.findByRole('button', { name: /Open bundled sample/ }));
    const [sample] = api.callsTo('case.openSample');
    expect(sample).toEqual({ id: expect.any(String) });
    // The evidence opened, but the case folder is another Hopscope's: the host says so beside the case.
    api.emit({ type: 'case-ready', summary: api.summary() });
    api.emit({ type: 'error', error: LOCKED });
    expect(await screen.findByText('Open in another Hopscope, pid 4242 on FORENSIC-01 since 2026-01-02T03:04:05.000Z.')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Take the case over' }));
    expect(screen.getByText(/notes saved by either one can overwrite the other's and be lost/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Keep it locked' }));
    expect(api.callsTo('case.openSample')).toHaveLength(1);
    expect(screen.getByText(/Open in another Hopscope, pid 4242/)).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Take the case over' }));
    await userEvent.click(screen.getByRole('button', { name: 'Take over, that Hopscope is gone' }));
    expect(api.callsTo('case.openSample')).toEqual([sample, { ...sample, takeOver: true }]);
    expect(screen.queryByText(/Open in another Hopscope/)).toBeNull();
  });
});
