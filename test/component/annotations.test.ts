// Annotations: the finding editor sends case.annotate changes (star, status, tags, comments) and shows the
// host's returned document; comment text stays text; events are keyed by evidence SHA-256 + record.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import FindingsPanel from '../../renderer/panels/FindingsPanel.svelte';
import DetailsPane from '../../renderer/panels/DetailsPane.svelte';
import { AnnotationsState } from '../../renderer/state/annotations.svelte.ts';
import { FakeApi, FINDINGS } from './fake-api.ts';

describe('annotations', () => {
  it('stars, sets status, tags and comments the selected finding', async () => {
    const api = new FakeApi();
    const annotations = new AnnotationsState(api);
    await annotations.load();
    expect(annotations.analyst).toBe('alice');
    const psexec = FINDINGS.find((f) => f.ruleId === 'psexec-accepteula')!;
    const { container } = render(FindingsPanel, { api, version: 1, selectedId: psexec.id, onfocus: vi.fn(), onerror: vi.fn(), annotations });
    const notes = await screen.findByRole('group', { name: 'Notes on this finding' });
    await userEvent.click(within(notes).getByRole('button', { name: 'Star this finding' }));
    await waitFor(() => expect(within(notes).getByRole('button', { name: 'Star this finding' })).toHaveAttribute('aria-pressed', 'true'));
    await userEvent.selectOptions(within(notes).getByRole('combobox', { name: 'Status of this finding' }), 'confirmed-malicious');
    await userEvent.type(within(notes).getByRole('combobox', { name: 'New tag' }), 'lateral{Enter}');
    await userEvent.type(within(notes).getByRole('textbox', { name: 'New comment' }), '<img src=x onerror=alert(1)> seen on DC01');
    await userEvent.click(within(notes).getByRole('button', { name: 'Add comment' }));
    await screen.findByText('<img src=x onerror=alert(1)> seen on DC01');
    expect(container.querySelector('img')).toBeNull();
    const changes = api.callsTo('case.annotate').map((r) => r.changes![0]!);
    expect(changes.map((c) => c.op)).toEqual(['setStar', 'setStatus', 'addTag', 'addComment']);
    for (const c of changes) {
      expect(c.target).toEqual({ kind: 'finding', id: psexec.id });
      expect(c.atIso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    expect(changes[3]).toMatchObject({ author: 'alice', text: '<img src=x onerror=alert(1)> seen on DC01' });
    expect(screen.getByText('Confirmed malicious', { selector: '.status' })).toBeInTheDocument();
    expect(screen.getByLabelText('starred')).toBeInTheDocument();
    // Tags of the case are offered, except those the finding already has.
    expect(annotations.tags).toEqual(['lateral']);
    expect([...notes.querySelectorAll('datalist option')].map((o) => o.getAttribute('value'))).toEqual([]);
    await userEvent.click(within(notes).getByRole('button', { name: 'Remove tag lateral' }));
    await waitFor(() => expect(api.annotationDoc.findings[psexec.id]!.tags).toEqual([]));
  });

  it('annotates an event by evidence SHA-256 and record number', async () => {
    const api = new FakeApi();
    const annotations = new AnnotationsState(api);
    await annotations.load();
    render(DetailsPane, {
      api,
      row: 7,
      onclose: vi.fn(),
      onselectrow: vi.fn(),
      onerror: vi.fn(),
      annotations,
      evidenceSha: (name: string) => (name === 'sysmon-lateral.csv' ? 'AB'.repeat(32) : undefined),
    });
    const notes = await screen.findByRole('group', { name: 'Notes on this event' });
    await userEvent.click(within(notes).getByRole('button', { name: 'Star this event' }));
    await waitFor(() => expect(api.callsTo('case.annotate')).toHaveLength(1));
    expect(api.callsTo('case.annotate')[0]!.changes![0]!.target).toEqual({ kind: 'event', id: `${'ab'.repeat(32)}:8` });
  });
});
