// RelocateDialog: lists each evidence check; a moved copy is uploaded (browser mode) and the reopen is retried
// with its handle for that file's SHA-256.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import RelocateDialog from '../../renderer/panels/RelocateDialog.svelte';
import { FakeApi } from './fake-api.ts';

const checks = [
  { sha256: 'a'.repeat(64), path: '/ev/sysmon.xml', name: 'sysmon.xml', status: 'missing' as const, reason: 'no such file' },
  { sha256: 'c'.repeat(64), path: '/ev/4688.csv', name: '4688.csv', status: 'ok' as const },
];

describe('RelocateDialog', () => {
  it('uploads a moved copy and retries the reopen with its handle', async () => {
    const api = new FakeApi();
    const onretry = vi.fn();
    render(RelocateDialog, { api, mode: 'browser', checks, onretry, onclose: vi.fn(), onerror: vi.fn() });
    expect(screen.getByRole('dialog')).toHaveTextContent('missing sysmon.xml');
    expect(screen.getByRole('dialog')).toHaveTextContent('unchanged 4688.csv');
    const retry = screen.getByRole('button', { name: 'Open with these files' });
    expect(retry).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Locate 4688.csv…' })).toBeNull();
    await userEvent.upload(screen.getByLabelText('Moved copy of sysmon.xml'), new File(['<Events/>'], 'sysmon-moved.xml'));
    await waitFor(() => expect(retry).toBeEnabled());
    expect(screen.getByText('using sysmon-moved.xml')).toBeInTheDocument();
    await userEvent.click(retry);
    expect(onretry).toHaveBeenCalledWith([{ sha256: 'a'.repeat(64), handle: 'up-1' }]);
  });
});
