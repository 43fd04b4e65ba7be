// ProgressBar: shows bytes, records, rejected and rate; Cancel sends `case.cancel` for the running job.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import ProgressBar from '../../renderer/panels/ProgressBar.svelte';
import { FakeApi } from './fake-api.ts';

describe('ProgressBar', () => {
  it('shows counts and cancel calls case.cancel', async () => {
    const api = new FakeApi();
    render(ProgressBar, {
      api,
      jobId: 'job-9',
      onerror: vi.fn(),
      progress: { jobId: 'job-9', phase: 'parsing', bytesDone: 5 * 1024 * 1024, bytesTotal: 20 * 1024 * 1024, records: 123456, rejected: 7, rate: 2 * 1024 * 1024, file: 'big.csv' },
    });
    expect(screen.getByTestId('progress-bytes')).toHaveTextContent('5.0 MB of 20.0 MB (25%)');
    expect(screen.getByTestId('progress-records')).toHaveTextContent('123,456');
    expect(screen.getByTestId('progress-rejected')).toHaveTextContent('7');
    expect(screen.getByTestId('progress-rate')).toHaveTextContent('2.0 MB/s');
    expect(screen.getByRole('heading')).toHaveTextContent('Parsing big.csv');
    expect(screen.getByRole('progressbar', { name: 'Ingest progress' })).toHaveAttribute('value', '25');
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(api.callsTo('case.cancel')).toEqual([{ jobId: 'job-9' }]));
  });

  it('can cancel before the first progress push, using the job id from the open request', async () => {
    const api = new FakeApi();
    render(ProgressBar, { api, jobId: 'job-1', progress: null, onerror: vi.fn() });
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(api.callsTo('case.cancel')).toEqual([{ jobId: 'job-1' }]));
  });
});
